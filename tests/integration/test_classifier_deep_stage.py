"""The deep stage as its own process and consumer group on the real Kafka: it refines a
message the fast stage left without an intent, and says nothing where it agrees."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from kafka import KafkaConsumer, KafkaProducer

from socialcare_classifier.deep.embedder import EMBEDDING_DIM, Embedder
from socialcare_classifier.deep.models_feed import intents_kind, publish_head, publish_model
from socialcare_classifier.domain.deep_sentiment import DeepSentimentHead
from socialcare_classifier.domain.prototypes import Prototypes
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    Classification,
    ClassificationRefined,
    DeadLettered,
    MessageClassified,
    Sentiment,
    SentimentLabel,
)
from socialcare_contracts.messages import NormalizedMessage
from socialcare_runtime.kafka_admin import ensure_topics
from tests.waiting import eventually

pytestmark = pytest.mark.integration
# A deep worker whose engine fails on every batch.
BROKEN_ENGINE = (
    "from opentelemetry import trace\n"
    "from socialcare_classifier.deep.embedder import Embedder\n"
    "from socialcare_classifier.deep_worker import DeepModels, build_deep_app\n"
    "from socialcare_classifier.settings import ClassifierSettings\n"
    "from socialcare_runtime.streams import run_worker\n"
    "class Broken(Embedder):\n"
    "    def embed(self, texts):\n"
    "        raise MemoryError('engine out of memory')\n"
    "settings = ClassifierSettings()\n"
    "run_worker(build_deep_app(settings, trace.get_tracer('test'),"
    " DeepModels(settings, Broken())))\n"
)
AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def classified(mid: str, text: str, intents: tuple[str, ...],
               brand: str = "acme") -> MessageClassified:
    message = NormalizedMessage(platform="x", channel="mention", brand_account=brand,
                                platform_message_id=mid, author={"id": "u1"}, text=text,
                                created_at=AT)
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=1.0, sentiment=Sentiment(label="neutral", score=0.0),
        intents=intents, priority=30, model_version="rules"))


class DeepWorker:
    """``python -m socialcare_classifier deep`` on topics of its own."""

    def __init__(self, kafka: str, tmp: Path, code: str | None = None) -> None:
        self.kafka = kafka
        prefix = f"t{uuid.uuid4().hex[:10]}."
        self.settings = ClassifierSettings(kafka_bootstrap=kafka, topic_prefix=prefix)
        ensure_topics(kafka, [prefix + t for t in topics.ALL], 2, 1)
        env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": kafka,
               "SOCIALCARE_TOPIC_PREFIX": prefix, "SOCIALCARE_TOPIC_PARTITIONS": "2",
               "SOCIALCARE_STREAM_DATA_DIR": str(tmp / "streams"),
               "SOCIALCARE_LOG_LEVEL": "WARNING"}
        args = ["-c", code] if code else ["-m", "socialcare_classifier", "deep"]
        self.proc = subprocess.Popen([sys.executable, *args], env=env,
                                     stdout=(tmp / "deep.log").open("wb"),
                                     stderr=subprocess.STDOUT)
        self.producer = KafkaProducer(bootstrap_servers=kafka, acks="all")
        self.consumer = KafkaConsumer(self.settings.topic(topics.CLASSIFICATIONS_REFINED),
                                      bootstrap_servers=kafka, auto_offset_reset="earliest",
                                      consumer_timeout_ms=1000)
        self.found: list[ClassificationRefined] = []

    def send(self, event: MessageClassified) -> None:
        value, headers = cloudevents.encode(event, source="test")
        self.producer.send(self.settings.topic(topics.MESSAGES_CLASSIFIED),
                           key=event.message.conversation_key().encode(), value=value,
                           headers=headers)
        self.producer.flush()

    def refined(self) -> list[ClassificationRefined]:
        self.found.extend(cloudevents.decode(r.value, r.headers, ClassificationRefined).data
                          for r in self.consumer)
        return self.found

    def stop(self) -> None:
        self.consumer.close()
        self.producer.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture
def deep(kafka_bootstrap: str, tmp_path: Path) -> Iterator[DeepWorker]:
    worker = DeepWorker(kafka_bootstrap, tmp_path)
    yield worker
    worker.stop()


def test_the_deep_stage_refines_only_where_it_disagrees(deep: DeepWorker) -> None:
    deep.send(classified("m1", "Where is my order? Two weeks now", ("order_status",)))
    deep.send(classified("m2", "Where is my order? I placed it two weeks ago and still "
                               "nothing has arrived", ()))
    [event] = eventually(deep.refined, "a refinement", timeout_s=90)
    assert event.message.platform_message_id == "m2"  # m1, same key and before it, agreed
    assert "order_status" in event.classification.intents
    assert event.classification.decided_by["intents"].startswith("deep:e5-small-q4")
    assert event.refined == ("intents",) and event.fast_priority == 30


def test_an_activated_sentiment_head_is_applied_without_a_restart(deep: DeepWorker) -> None:
    deep.send(classified("m1", "Where is my order? I placed it two weeks ago", ()))
    eventually(deep.refined, "the worker running", timeout_s=90)
    # A head that calls everything negative, activated while the worker runs.
    head = DeepSentimentHead("always-negative", tuple(SentimentLabel),
                             np.zeros((3, EMBEDDING_DIM), np.float32),
                             np.array([4.0, 0.0, 0.0], np.float32))
    publish_head(deep.settings, head, changed_by="test")

    def negative() -> ClassificationRefined | None:
        deep.send(classified(f"n{uuid.uuid4().hex[:6]}", "ok", ("order_status",)))
        return next((e for e in deep.refined() if "sentiment" in e.refined), None)
    event = eventually(negative, "a sentiment refinement", timeout_s=60, interval_s=1.0)
    assert event.classification.sentiment.label == "negative"
    assert event.fast_sentiment == "neutral"
    assert event.classification.decided_by["sentiment"] == "deep:always-negative"
    assert event.classification.priority > event.fast_priority


def test_a_brands_intent_prototypes_apply_to_its_messages_only_without_a_restart(
        deep: DeepWorker) -> None:
    text = "Where is my order? I placed it two weeks ago and still nothing has arrived"
    deep.send(classified("m1", text, (), brand="other"))
    [shipped] = eventually(deep.refined, "the worker running", timeout_s=90)
    assert "order_status" in shipped.classification.intents
    # Prototypes in which this very message means a refund, activated for acme alone.
    embedder = Embedder()
    vector = embedder.embed([text])
    prototypes = Prototypes(("refund_return",), np.zeros(EMBEDDING_DIM, np.float32),
                            vector / np.linalg.norm(vector), 0.36, 0.02)
    publish_model(deep.settings, intents_kind("ACME"), "intents-acme-test",
                  prototypes.to_dict("intents-acme-test", embedder.version, {}), "test")

    def acme_refund() -> ClassificationRefined | None:
        deep.send(classified(f"a{uuid.uuid4().hex[:6]}", text, (), brand="acme"))
        return next((e for e in deep.refined() if e.message.brand_account == "acme"
                     and "refund_return" in e.classification.intents), None)
    event = eventually(acme_refund, "acme's own intents", timeout_s=60, interval_s=1.0)
    assert event.classification.decided_by["intents"].endswith("+intents-acme-test")
    deep.send(classified("m2", text, (), brand="other"))

    def others() -> list[ClassificationRefined]:
        return [e for e in deep.refined() if e.message.platform_message_id == "m2"]
    [other] = eventually(others, "the other brand's refinement", timeout_s=60)
    assert "order_status" in other.classification.intents
    assert "refund_return" not in other.classification.intents


def test_a_batch_the_engine_cannot_embed_is_dead_lettered(kafka_bootstrap: str,
                                                          tmp_path: Path) -> None:
    worker = DeepWorker(kafka_bootstrap, tmp_path, BROKEN_ENGINE)
    try:
        worker.send(classified("m1", "Where is my order?", ()))
        consumer = KafkaConsumer(worker.settings.topic(topics.DEADLETTER),
                                 bootstrap_servers=kafka_bootstrap,
                                 auto_offset_reset="earliest", consumer_timeout_ms=1000)
        found: list[DeadLettered] = []

        def dead() -> list[DeadLettered]:
            found.extend(cloudevents.decode(r.value, r.headers, DeadLettered).data
                         for r in consumer)
            return found
        [letter] = eventually(dead, "a dead letter", timeout_s=90)
        consumer.close()
        assert letter.stage == "refine" and "engine out of memory" in letter.reason
        assert letter.source_topic == worker.settings.topic(topics.MESSAGES_CLASSIFIED)
    finally:
        worker.stop()
