"""Classifier workers against the real Kafka: live rule changes, N workers in one group with
one killed mid-stream, and a crashing classification dead-lettered."""

import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer

from socialcare_classifier.adapters.rules_feed import publish_taxonomy
from socialcare_classifier.admin_api import create_api
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_classifier.settings import ClassifierSettings
from socialcare_classifier.worker import SERVICE
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    ClassifierRulesChanged,
    DeadLettered,
    MessageClassified,
    MessageReceived,
)
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform
from socialcare_local.infra import Endpoints
from socialcare_local.services import GroupStable
from socialcare_runtime.kafka_admin import ensure_topics
from tests.waiting import eventually

pytestmark = pytest.mark.integration
PARTITIONS = 4
ADMIN = {"X-Admin-Key": "dev-classifier-admin-key"}
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# A worker whose order-number pattern is not a valid regex: classification itself raises.
BROKEN_WORKER = (
    "from socialcare_classifier.domain.rules import ClassifierRules\n"
    "from socialcare_classifier.settings import ClassifierSettings\n"
    "from socialcare_classifier.worker import build_app\n"
    "from socialcare_runtime.streams import run_worker\n"
    "from opentelemetry import trace\n"
    "run_worker(build_app(ClassifierSettings(), trace.get_tracer('test'),"
    " ClassifierRules(order_patterns=('(unclosed',))))\n"
)


class Workers:
    """Classifier worker processes sharing one topic prefix (so one consumer group)."""

    def __init__(self, bootstrap: str, tmp: Path) -> None:
        self.prefix = f"t{uuid.uuid4().hex[:10]}."
        self.settings = ClassifierSettings(kafka_bootstrap=bootstrap, topic_prefix=self.prefix,
                                           topic_partitions=PARTITIONS)
        self.env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": bootstrap,
                    "SOCIALCARE_TOPIC_PREFIX": self.prefix,
                    "SOCIALCARE_TOPIC_PARTITIONS": str(PARTITIONS),
                    "SOCIALCARE_STREAM_DATA_DIR": str(tmp / "streams"),
                    "SOCIALCARE_LOG_LEVEL": os.environ.get("CLASSIFIER_TEST_LOG_LEVEL", "WARNING")}
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.sent = 0
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        ensure_topics(bootstrap, [self.settings.topic(t) for t in topics.ALL], PARTITIONS)

    def start(self, code: str | None = None) -> subprocess.Popen:
        args = ["-c", code] if code else ["-m", "socialcare_classifier"]
        log = (self.tmp / f"worker{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen([sys.executable, *args], env=self.env, stdout=log,
                                stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def send(self, i: int, text: str, brand: str = "acmeshop", customer: str | None = None,
             created_at: datetime = T0) -> str:
        message = NormalizedMessage(
            platform=Platform.X, channel=ChannelKind.MENTION, brand_account=brand,
            platform_message_id=f"m{i}", author=Author(id=customer or f"c{i % 7}"), text=text,
            created_at=created_at, received_at=created_at)
        value, headers = cloudevents.encode(MessageReceived(message=message), source="test")
        self.producer.send(self.settings.topic(topics.MESSAGES_RECEIVED),
                           key=message.conversation_key().encode(), value=value,
                           headers=headers)
        self.sent += 1
        return message.platform_message_id

    def read(self, topic: str, model: type, until: int, timeout_s: float,
             drain: bool = True) -> list:
        """Every event on a topic (all partitions, from the start) once ``until`` distinct
        event ids arrived (redelivered duplicates share their id); with ``drain`` read on
        until the topic is quiet, so late duplicates are in, else return at once."""
        self.producer.flush()
        consumer = KafkaConsumer(self.settings.topic(topic), bootstrap_servers=self.env[
            "SOCIALCARE_KAFKA_BOOTSTRAP"], auto_offset_reset="earliest", group_id=None,
            consumer_timeout_ms=1000)
        events: list = []
        ids: set[str] = set()
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline and len(ids) < until:
                for record in consumer:
                    events.append(cloudevents.decode(record.value, record.headers, model))
                    ids.add(events[-1].id)
                    if not drain and len(ids) >= until:
                        break
        finally:
            consumer.close()
        return events

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.producer.close()


@pytest.fixture
def workers(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(kafka_bootstrap, tmp_path)
    yield group
    group.stop()


def by_message(events: list) -> dict[str, list]:
    found: dict[str, list] = {}
    for e in events:
        found.setdefault(e.data.message.platform_message_id, []).append(e)
    return found


def classify_until(workers: Workers, first: int, text: str,
                   done: Callable[[MessageClassified], bool], what: str) -> MessageClassified:
    """Sends fresh messages (m<first>, m<first + 1>, ...) until one is classified as ``done``
    says: a rules change reaches a running worker within moments, not at once."""
    numbers = itertools.count(first)

    def probe() -> MessageClassified | None:
        i = next(numbers)
        workers.send(i, text)
        events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                         workers.sent, 10))
        latest = events.get(f"m{i}")
        return latest[0].data if latest and done(latest[0].data) else None

    return eventually(probe, what, timeout_s=30, interval_s=0)


def test_rule_changes_reach_a_running_worker_without_restart(workers: Workers) -> None:
    workers.start()
    workers.send(1, "my reward points disappeared")
    first = workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, 1, 60)
    assert first and first[0].data.classification.categories == ()

    taxonomy = BrandTaxonomy("acmeshop", keywords=(("loyalty", ("reward points",)),))
    with TestClient(create_api(workers.settings)) as api:
        body = {"keywords": {"loyalty": ["reward points"]}}
        assert api.put("/v1/brands/AcmeShop/taxonomy", json=body).status_code == 401
        assert api.put("/v1/brands/AcmeShop/taxonomy", json=body,
                       headers={"X-Admin-Key": "wrong"}).status_code == 401
        accepted = api.put("/v1/brands/AcmeShop/taxonomy", json=body, headers=ADMIN)
        assert accepted.status_code == 202
        assert accepted.json() == {"brand": "acmeshop", "version": taxonomy.version}
    latest = classify_until(workers, 2, "my rewrad points disappeared",
                            lambda c: bool(c.classification.categories), "taxonomy applied")
    assert latest.classification.categories == ("loyalty",)
    assert latest.classification.model_version.endswith(taxonomy.version)

    # Another brand is untouched; a removal switches the brand back.
    workers.send(100, "my reward points disappeared", brand="otherbrand")
    with TestClient(create_api(workers.settings)) as api:
        assert api.delete("/v1/brands/acmeshop/taxonomy", headers=ADMIN).status_code == 202
    removed = classify_until(workers, 101, "my reward points disappeared",
                             lambda c: not c.classification.categories, "taxonomy removed")
    assert not removed.classification.model_version.endswith(taxonomy.version)
    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                     workers.sent, 30))
    assert events["m100"][0].data.classification.categories == ()


def test_admin_api_refuses_bad_input_before_publishing(workers: Workers) -> None:
    with TestClient(create_api(workers.settings)) as api:
        url = "/v1/brands/acme/taxonomy"
        assert api.put(url, json={"keywords": ["not", "a", "map"]},
                       headers=ADMIN).status_code == 422
        assert api.put(url, json={}, headers=ADMIN).status_code == 422
        assert api.put(url, json={"model": {"kind": "svm"}}, headers=ADMIN).status_code == 422
        assert api.put("/v1/brands/bad%20brand/taxonomy", json={"keywords": {"a": ["b"]}},
                       headers=ADMIN).status_code == 422
        huge = {"keywords": {"a": ["x" * 1_000_000]}}
        assert api.put(url, json=huge, headers=ADMIN).status_code == 413
    # The command-line path publishes the same event: a removal reaches the topic.
    publish_taxonomy(workers.settings, "acme", None, changed_by="test")
    changes = workers.read(topics.CLASSIFIER_RULES, ClassifierRulesChanged, 1, 20)
    assert [(c.data.brand, c.data.taxonomy) for c in changes] == [("acme", None)]


def test_repeated_contact_counts_the_customers_earlier_messages(workers: Workers) -> None:
    workers.start()
    for n in range(3):
        workers.send(n, "hello? my order has not arrived", customer="same",
                     created_at=T0 + timedelta(minutes=n))
    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, 3, 60))
    reasons = [events[f"m{n}"][0].data.classification.priority_reasons for n in range(3)]
    assert not any(r.startswith("repeat_contact") for r in reasons[0])
    assert "repeat_contact:1" in reasons[1] and "repeat_contact:2" in reasons[2]


def test_killed_worker_loses_nothing_and_duplicates_are_identical(
        workers: Workers, infra: Endpoints, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _second = workers.start(), workers.start()
    warm_up = 20
    for i in range(1000, 1000 + warm_up):
        workers.send(i, "warm up")
    assert len(by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                       warm_up, 90))) == warm_up
    # Kill only once the group is stable with both: a member dying in the middle of a
    # rebalance is waited for until the rebalance timeout, not the session timeout.
    monkeypatch.setenv("SOCIALCARE_TOPIC_PREFIX", workers.prefix)  # the group GroupStable reads
    both = GroupStable(SERVICE, members=2)
    eventually(lambda: both.ready(infra), both.describe(), timeout_s=90)
    total = 600
    texts = ["where is my order?", "love the new app!", "refund me now, this is a scam",
             "the store on main street was great", "login broken again"]
    for i in range(total // 2):
        workers.send(i, texts[i % len(texts)])
    # Kill mid-stream: once the workers are classifying the first half.
    begun = workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, warm_up + 1, 60,
                         drain=False)
    assert len({e.id for e in begun}) > warm_up, "no message of the batch was classified"
    first.send_signal(signal.SIGKILL)
    for i in range(total // 2, total):
        workers.send(i, texts[i % len(texts)])
    events = workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, total + warm_up, 180)
    found = {m: e for m, e in by_message(events).items() if int(m[1:]) < total}
    assert len(found) == total, f"missing {total - len(found)} classified messages"
    for duplicates in found.values():
        assert len({d.id for d in duplicates}) == 1
        assert len({d.data.model_dump_json() for d in duplicates}) == 1


def test_a_crashing_classification_is_dead_lettered_and_the_worker_goes_on(
        workers: Workers) -> None:
    workers.start(BROKEN_WORKER)
    workers.send(1, "order 123456 please")
    dead = workers.read(topics.DEADLETTER, DeadLettered, 1, 60)
    assert dead and dead[0].data.stage == "classify"
    assert "error" in dead[0].data.reason and dead[0].data.source_topic.endswith(
        topics.MESSAGES_RECEIVED)
    assert workers.procs[0].poll() is None
