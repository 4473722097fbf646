"""Entrypoint: ``python -m socialcare_ingest``."""

import uvicorn

from socialcare_contracts import topics
from socialcare_ingest.app import create_app
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.publisher import EventPublisher
from socialcare_runtime.telemetry import setup_telemetry


def main() -> None:
    settings = IngestSettings()
    configure_logging("ingest", settings.log_level)
    telemetry = setup_telemetry("socialcare-ingest")

    def connect() -> EventPublisher:
        ensure_topics(settings.kafka_bootstrap, [settings.topic(t) for t in topics.ALL],
                      settings.topic_partitions, settings.topic_replication_factor)
        return EventPublisher.connect(settings.kafka_bootstrap, "socialcare-ingest",
                                      warm_topic=settings.topic(topics.MESSAGES_RECEIVED),
                                      max_in_flight=settings.ingest_max_in_flight,
                                      ack_timeout_s=settings.ingest_ack_timeout_s)

    app = create_app(settings, connect, telemetry.tracer)
    uvicorn.run(app, host=settings.host, port=settings.ingest_port, log_config=None,
                access_log=False)
    telemetry.shutdown()


if __name__ == "__main__":
    main()
