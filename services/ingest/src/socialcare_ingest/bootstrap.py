"""Building ingest's clients from settings: shared by the API, the poller and the importer."""

from pymongo.asynchronous.database import AsyncDatabase

from socialcare_contracts import topics
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime import mongo
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import EventPublisher


def connect_publisher(settings: IngestSettings, source: str = "socialcare-ingest",
                      linger_ms: int = 2, batch_bytes: int = 64 * 1024) -> EventPublisher:
    """Creates the topics if missing and a publisher bounded by the in-flight limit."""
    ensure_socialcare_topics(settings)
    return EventPublisher.connect(settings.kafka_bootstrap, source,
                                  warm_topic=settings.topic(topics.MESSAGES_RECEIVED),
                                  max_in_flight=settings.ingest_max_in_flight,
                                  ack_timeout_s=settings.ingest_ack_timeout_s,
                                  linger_ms=linger_ms, batch_bytes=batch_bytes)


def connect_import_publisher(settings: IngestSettings, source: str) -> EventPublisher:
    """A publisher for bulk import: whole batches wait for Kafka, so larger and later
    produce requests cost nothing and save the I/O thread most of its work."""
    return connect_publisher(settings, source, linger_ms=20, batch_bytes=512 * 1024)


def connect_database(settings: IngestSettings, app_name: str) -> AsyncDatabase:
    """The ingest database (listening rules and checkpoints); connects lazily."""
    return mongo.connect(settings.mongo_url, app_name)[settings.mongo_database]
