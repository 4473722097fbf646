"""The event publisher against the real Kafka: partitions by key, bounded in-flight records."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer
from kafka.partitioner.default import murmur2

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import MessageReceived
from socialcare_contracts.messages import NormalizedMessage
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing
from socialcare_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration
PARTITIONS = 6


def message(i: int) -> MessageReceived:
    return MessageReceived(message=NormalizedMessage.model_validate({
        "platform": "x", "channel": "mention", "brand_account": "acme",
        "platform_message_id": str(i), "author": {"id": f"c{i}"}, "text": f"help {i}",
        "created_at": datetime.now(UTC).isoformat()}))


@pytest.fixture
def topic(kafka_bootstrap: str) -> str:
    settings = ServiceSettings(kafka_bootstrap=kafka_bootstrap, topic_partitions=PARTITIONS,
                               topic_prefix=f"t{uuid.uuid4().hex[:10]}.")
    ensure_socialcare_topics(settings)
    return settings.topic(topics.MESSAGES_RECEIVED)


def test_keys_land_where_the_java_partitioner_puts_them(kafka_bootstrap: str,
                                                        topic: str) -> None:
    """Ordering per conversation holds across clients only if every client hashes keys alike."""
    publisher = EventPublisher.connect(kafka_bootstrap, "test", warm_topic=topic)
    keys = [f"x:acme:c{i}" for i in range(40)]
    try:
        ids = asyncio.run(publisher.publish(
            [Outgoing(topic, key, message(i)) for i, key in enumerate(keys)]))
    finally:
        publisher.close()
    consumer = KafkaConsumer(topic, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=5000)
    try:
        seen = {}
        for record in consumer:
            seen[record.key.decode()] = (record.partition, cloudevents.header_map(
                record.headers)["ce_id"])
            if len(seen) == len(keys):
                break
    finally:
        consumer.close()
    assert {k: p for k, (p, _) in seen.items()} == {
        k: (murmur2(k.encode()) & 0x7FFFFFFF) % PARTITIONS for k in keys}
    assert [seen[k][1] for k in keys] == ids
    assert len({p for p, _ in seen.values()}) > 1


def test_records_beyond_the_in_flight_bound_are_refused_at_once(kafka_bootstrap: str,
                                                                topic: str) -> None:
    publisher = EventPublisher.connect(kafka_bootstrap, "test", warm_topic=topic,
                                       max_in_flight=5)
    try:
        with pytest.raises(Backpressure, match="in flight"):
            asyncio.run(publisher.publish([Outgoing(topic, "k", message(i)) for i in range(6)]))
        assert len(asyncio.run(publisher.publish(
            [Outgoing(topic, "k", message(i)) for i in range(5)]))) == 5
        assert publisher.ready()
    finally:
        publisher.close()


def test_connect_fails_when_no_broker_answers() -> None:
    with pytest.raises(Backpressure, match="no Kafka broker"):
        EventPublisher.connect("127.0.0.1:1", "test", warm_topic="any", ack_timeout_s=1)
