"""Entrypoint: ``python -m socialcare_classifier``."""

from socialcare_classifier.settings import ClassifierSettings
from socialcare_classifier.worker import SERVICE, build_app
from socialcare_contracts import topics
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.streams import run_worker
from socialcare_runtime.telemetry import setup_telemetry


def main() -> None:
    settings = ClassifierSettings()
    configure_logging("classifier", settings.log_level)
    telemetry = setup_telemetry(SERVICE)
    ensure_topics(settings.kafka_bootstrap, [settings.topic(t) for t in topics.ALL],
                  settings.topic_partitions, settings.topic_replication_factor)
    run_worker(build_app(settings, telemetry.tracer), on_shutdown=telemetry.shutdown)


if __name__ == "__main__":
    main()
