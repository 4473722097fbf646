"""Entrypoint: ``python -m socialcare_responder``."""

from datetime import timedelta

from socialcare_contracts import topics
from socialcare_responder.adapters.gateways import GatewayClients
from socialcare_responder.sending import ReplySender
from socialcare_responder.settings import ResponderSettings
from socialcare_responder.worker import SERVICE, build_app
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.streams import run_worker
from socialcare_runtime.telemetry import setup_telemetry


def main() -> None:
    settings = ResponderSettings()
    configure_logging("responder", settings.log_level)
    telemetry = setup_telemetry(SERVICE)
    ensure_topics(settings.kafka_bootstrap, [settings.topic(t) for t in topics.ALL],
                  settings.topic_partitions, settings.topic_replication_factor)
    gateways = GatewayClients(settings.gateways, settings.gateway_timeout_s)
    sender = ReplySender(gateways, timedelta(seconds=settings.reply_give_up_after_s))
    run_worker(build_app(settings, sender, telemetry.tracer), on_shutdown=telemetry.shutdown)


if __name__ == "__main__":
    main()
