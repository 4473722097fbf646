"""The deep stage's refinements reach conversations: the router worker (a real process, real
Kafka and MongoDB server) updates the conversation's sentiment, intents and priority after
routing used the fast stage's labels, publishes the change, and a redelivery changes nothing;
a refinement that comes before its message is kept and applied once the message is routed."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from pymongo import MongoClient

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    Classification,
    ClassificationRefined,
    ConversationUpdated,
    MessageClassified,
    Sentiment,
)
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.store import Store
from socialcare_router.domain.surge import IncidentRoute
from socialcare_router.refinements import Refinements
from socialcare_router.routing_config import RoutingConfig, RoutingSnapshot
from socialcare_runtime.kafka_admin import ensure_topics
from tests.integration.router_helpers import acked, router, store  # noqa: F401
from tests.waiting import eventually

pytestmark = pytest.mark.integration
# Now, not a fixed date: the worker's escalation timers would act on a message long overdue.
AT = datetime.now(UTC)


class RouterWorker:
    """``python -m socialcare_router worker`` on topics and a database of its own."""

    def __init__(self, kafka: str, mongo: str, tmp: Path) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:10]}."
        self.database = f"it_{uuid.uuid4().hex[:10]}"
        ensure_topics(kafka, [self.prefix + t for t in topics.ALL], 1, 1)
        env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": kafka,
               "SOCIALCARE_TOPIC_PREFIX": self.prefix, "SOCIALCARE_TOPIC_PARTITIONS": "1",
               "SOCIALCARE_MONGO_URL": mongo, "SOCIALCARE_MONGO_DATABASE": self.database,
               "SOCIALCARE_STREAM_DATA_DIR": str(tmp / "streams"),
               "SOCIALCARE_LOG_LEVEL": "WARNING"}
        self.log = tmp / "router.log"
        self.proc = subprocess.Popen([sys.executable, "-m", "socialcare_router", "worker"],
                                     env=env, stdout=self.log.open("wb"),
                                     stderr=subprocess.STDOUT)
        self.producer = KafkaProducer(bootstrap_servers=kafka, acks="all")
        self.kafka = kafka

    def publish(self, topic: str, key: str, event: object, event_id: str) -> None:
        value, headers = cloudevents.encode(event, source="test", event_id=event_id)
        self.producer.send(self.prefix + topic, key=key.encode(), value=value,
                           headers=headers)
        self.producer.flush()

    def updates(self) -> list[ConversationUpdated]:
        consumer = KafkaConsumer(self.prefix + topics.CONVERSATIONS_UPDATED,
                                 bootstrap_servers=self.kafka, auto_offset_reset="earliest",
                                 consumer_timeout_ms=1500)
        try:
            return [cloudevents.decode(r.value, r.headers, ConversationUpdated).data
                    for r in consumer]
        finally:
            consumer.close()

    def committed(self, topic: str) -> int:
        """The router group's committed offset on ``topic`` (one partition)."""
        reader = KafkaConsumer(bootstrap_servers=self.kafka, enable_auto_commit=False,
                               group_id=self.prefix + "socialcare-router")
        try:
            return reader.committed(TopicPartition(self.prefix + topic, 0)) or 0
        finally:
            reader.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.producer.close()


@pytest.fixture
def worker(kafka_bootstrap: str, mongo_url: str, tmp_path: Path) -> Iterator[RouterWorker]:
    running = RouterWorker(kafka_bootstrap, mongo_url, tmp_path)
    yield running
    running.stop()
    MongoClient(mongo_url).drop_database(running.database)


def fast_stage(mid: str) -> MessageClassified:
    """A complaint the fast stage read as neutral, with no intent."""
    message = NormalizedMessage(
        platform="x", channel="mention", brand_account="acme", platform_message_id=mid,
        author={"id": "u1"}, text="94 min hold and counting", created_at=AT, received_at=AT)
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=0.9, sentiment=Sentiment(label="neutral", score=0.0),
        priority=30, model_version="fast", decided_by={"sentiment": "fast:m1"}))


def deep_stage(fast: MessageClassified) -> ClassificationRefined:
    refined = fast.classification.model_copy(update={
        "sentiment": Sentiment(label="negative", score=-0.8),
        "intents": ("service_complaint",), "priority": 60,
        "decided_by": {"sentiment": "deep:head1", "intents": "deep:e5"}})
    return ClassificationRefined(message=fast.message, classification=refined,
                                 refined=("sentiment", "intents"), fast_sentiment="neutral",
                                 fast_intents=(), fast_priority=30)


def test_a_refinement_updates_the_conversation_and_is_published(
        worker: RouterWorker, mongo_url: str) -> None:
    fast = fast_stage("m1")
    key = fast.message.conversation_key()
    worker.publish(topics.MESSAGES_CLASSIFIED, key, fast, "e-fast")
    db = MongoClient(mongo_url)[worker.database]
    routed = eventually(lambda: db.conversations.find_one({}), timeout_s=60)
    assert (routed["sentiment"], routed["priority"], routed["intents"]) == ("neutral", 30, [])

    refinement = deep_stage(fast)
    worker.publish(topics.CLASSIFICATIONS_REFINED, key, refinement, "e-deep")
    refined = eventually(lambda: db.conversations.find_one(
        {"_id": routed["_id"], "sentiment": "negative"}), timeout_s=30)
    assert refined["priority"] == 60
    assert refined["intents"] == ["service_complaint"]
    assert refined["worst_sentiment"] == "negative"
    changes = eventually(lambda: [u for u in worker.updates() if u.change == "refined"] or None,
                         timeout_s=30)
    assert [(u.conversation_id, u.priority) for u in changes] == [(routed["_id"], 60)]

    # Redelivered: nothing changes (at most the stored event is published again, same
    # version) once the router has committed past it.
    worker.publish(topics.CLASSIFICATIONS_REFINED, key, refinement, "e-deep")
    eventually(lambda: worker.committed(topics.CLASSIFICATIONS_REFINED) == 2, timeout_s=30)
    again = db.conversations.find_one({"_id": routed["_id"]})
    assert (again["version"], again["sentiment"]) == (refined["version"], "negative")
    assert {u.version for u in worker.updates() if u.change == "refined"} \
        == {refined["version"]}


async def test_a_refinement_before_its_message_is_kept_and_applied_later(
        store: Store) -> None:  # noqa: F811
    routing = router(store)
    refinements = Refinements(routing)
    fast = fast_stage("m9")
    assert await refinements.apply(deep_stage(fast)) == []
    assert await refinements.retry_awaiting() == []  # still not routed: kept
    [(_, conversation_id, created)] = acked(store, await routing.route_message(fast, "e9"))
    assert created.priority == 30
    [(_, _, refined)] = await refinements.retry_awaiting()
    assert (refined.conversation_id, refined.change, refined.priority) == (
        conversation_id, "refined", 60)
    assert (await store.repository.get(conversation_id)).sentiment == "negative"
    assert await refinements.retry_awaiting() == []  # applied once, then forgotten


async def test_a_kept_refinement_that_cannot_be_applied_holds_back_no_other(
        store: Store) -> None:  # noqa: F811
    routing = router(store)
    refinements = Refinements(routing)
    broken, fast = fast_stage("m7"), fast_stage("m8")
    for event in (broken, fast):
        assert await refinements.apply(deep_stage(event)) == []
        acked(store, await routing.route_message(event, f"e-{event.message.platform_message_id}"))
    # The first one kept was written by a version this one cannot read at all.
    first = await refinements.awaiting.find_one({})
    await refinements.awaiting.update_one({"_id": first["_id"]}, {"$set": {"event": "?"}})
    [(_, _, refined)] = await refinements.retry_awaiting()
    assert refined.change == "refined"
    assert [d["_id"] async for d in refinements.awaiting.find({})] == [first["_id"]]


class WithIncidentRouting(RoutingConfig):
    """The stored configuration with an open incident raising every acme message by 40."""

    async def current(self) -> RoutingSnapshot:
        return replace(await super().current(),
                       incident_routes=(IncidentRoute("acme", "*", None, 40, "i1"),))


async def test_a_refinement_keeps_the_incident_routings_priority_boost(
        store: Store) -> None:  # noqa: F811
    routing = router(store)
    routing.config = WithIncidentRouting(store.config, refresh_s=0)
    refinements = Refinements(routing)
    fast = fast_stage("m7")
    [(_, conversation_id, created)] = acked(store, await routing.route_message(fast, "e7"))
    assert created.priority == 70  # the rules' 30, raised 40 by the incident

    # The deep stage's labels give 60 by the rules: routed now, with the incident, 100.
    # Scored without the incident, the only message's conversation fell to 60.
    [(_, _, refined)] = await refinements.apply(deep_stage(fast))
    assert (refined.change, refined.priority) == ("refined", 100)
