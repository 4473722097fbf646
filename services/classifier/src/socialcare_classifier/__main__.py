"""Entrypoint: ``python -m socialcare_classifier`` runs the worker; ``deep`` the deep stage's
worker; ``api`` the admin HTTP API;
``train``, ``train-sentiment``, ``activate-sentiment``, ``train-deep-sentiment``,
``train-intent-prototypes`` and ``rules``
are admin commands."""

import sys

from socialcare_classifier.domain.language_library import preload as preload_language_models
from socialcare_classifier.settings import ClassifierSettings
from socialcare_classifier.worker import SERVICE, build_app
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.streams import run_worker
from socialcare_runtime.telemetry import setup_telemetry


def main() -> None:
    admin = ("train", "train-sentiment", "activate-sentiment", "train-deep-sentiment",
             "train-intent-prototypes", "rules", "-h", "--help")
    if len(sys.argv) > 1 and sys.argv[1] in admin:
        from socialcare_classifier.cli import main as cli_main

        sys.exit(cli_main(sys.argv[1:]))
    settings = ClassifierSettings()
    configure_logging("classifier", settings.log_level)
    deep = sys.argv[1:] == ["deep"]
    if deep:  # numpy and the engine come with the 'deep' extra: imported only here
        from socialcare_classifier.deep_worker import SERVICE as DEEP_SERVICE
        from socialcare_classifier.deep_worker import build_deep_app
    telemetry = setup_telemetry(DEEP_SERVICE if deep else SERVICE)
    if sys.argv[1:] == ["api"]:
        import uvicorn

        from socialcare_classifier.admin_api import create_api

        uvicorn.run(create_api(settings), host=settings.host,
                    port=settings.classifier_admin_port, log_config=None, access_log=False)
        telemetry.shutdown()
        return
    ensure_socialcare_topics(settings)
    if deep:
        run_worker(build_deep_app(settings, telemetry.tracer), on_shutdown=telemetry.shutdown)
        return
    # Load the language models before joining the group (2-3 s, once), not on the first
    # uncertain message while partitions wait.
    preload_language_models()
    run_worker(build_app(settings, telemetry.tracer), on_shutdown=telemetry.shutdown)


if __name__ == "__main__":
    main()
