"""Helpers of the ingest integration tests: the app with a real publisher, topic read-back."""

import uuid
from typing import Any

from kafka import KafkaConsumer
from opentelemetry import trace
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import MessageReceived
from socialcare_ingest.app import create_app
from socialcare_ingest.bootstrap import connect_publisher
from socialcare_ingest.settings import IngestSettings


def fresh_settings(kafka_bootstrap: str, **overrides: Any) -> IngestSettings:
    """Settings with a fresh topic prefix, so a test reads only its own records."""
    return IngestSettings(kafka_bootstrap=kafka_bootstrap, topic_partitions=1,
                          topic_prefix=f"t{uuid.uuid4().hex[:10]}.", **overrides)


def ingest_app(settings: IngestSettings, database: AsyncDatabase | None = None) -> Any:
    """The FastAPI app whose lifespan connects the real EventPublisher."""
    return create_app(settings, lambda: connect_publisher(settings), trace.get_tracer("test"),
                      database)


def received(settings: IngestSettings, expected: int | None = None,
             timeout_s: float = 10.0) -> list[tuple[str, str, MessageReceived]]:
    """(key, event id, event) of the records on the received topic, read from the start."""
    consumer = KafkaConsumer(settings.topic(topics.MESSAGES_RECEIVED),
                             bootstrap_servers=settings.kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=1500 if expected is None else int(
                                 timeout_s * 1000))
    found = []
    try:
        for record in consumer:
            envelope = cloudevents.decode(record.value, list(record.headers), MessageReceived)
            found.append((record.key.decode(), envelope.id, envelope.data))
            if expected is not None and len(found) >= expected:
                break
    finally:
        consumer.close()
    return found
