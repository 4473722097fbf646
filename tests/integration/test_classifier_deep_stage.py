"""The deep stage as its own process and consumer group on the real Kafka: it refines a
message the fast stage left without an intent, and says nothing where it agrees."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    Classification,
    ClassificationRefined,
    MessageClassified,
    Sentiment,
)
from socialcare_contracts.messages import NormalizedMessage
from socialcare_runtime.kafka_admin import ensure_topics
from tests.waiting import eventually

pytestmark = pytest.mark.integration
AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def classified(mid: str, text: str, intents: tuple[str, ...]) -> MessageClassified:
    message = NormalizedMessage(platform="x", channel="mention", brand_account="acme",
                                platform_message_id=mid, author={"id": f"u-{mid}"}, text=text,
                                created_at=AT)
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=1.0, sentiment=Sentiment(label="neutral", score=0.0),
        intents=intents, priority=30, model_version="rules"))


def test_the_deep_stage_refines_only_where_it_disagrees(kafka_bootstrap: str,
                                                        tmp_path: Path) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    ensure_topics(kafka_bootstrap, [prefix + t for t in topics.ALL], 2, 1)
    env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": kafka_bootstrap,
           "SOCIALCARE_TOPIC_PREFIX": prefix, "SOCIALCARE_TOPIC_PARTITIONS": "2",
           "SOCIALCARE_STREAM_DATA_DIR": str(tmp_path / "streams"),
           "SOCIALCARE_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "socialcare_classifier", "deep"], env=env,
                            stdout=(tmp_path / "deep.log").open("wb"), stderr=subprocess.STDOUT)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    try:
        for event in (classified("m1", "Where is my order? I placed it two weeks ago and "
                                       "still nothing has arrived", ()),
                      classified("m2", "Where is my order? Two weeks now", ("order_status",))):
            value, headers = cloudevents.encode(event, source="test")
            producer.send(prefix + topics.MESSAGES_CLASSIFIED,
                          key=event.message.conversation_key().encode(), value=value,
                          headers=headers)
        producer.flush()
        consumer = KafkaConsumer(prefix + topics.CLASSIFICATIONS_REFINED,
                                 bootstrap_servers=kafka_bootstrap,
                                 auto_offset_reset="earliest", consumer_timeout_ms=1000)
        found: list[ClassificationRefined] = []

        def refined() -> list[ClassificationRefined]:
            found.extend(cloudevents.decode(r.value, r.headers, ClassificationRefined).data
                         for r in consumer)
            return found
        [event] = eventually(refined, "a refinement", timeout_s=90)
        assert event.message.platform_message_id == "m1"
        assert "order_status" in event.classification.intents
        assert event.classification.decided_by["intents"].startswith("deep:e5-small-q4")
        assert event.refined == ("intents",) and event.fast_priority == 30
        consumer.close()
    finally:
        producer.close()
        proc.terminate()
        proc.wait(timeout=30)
