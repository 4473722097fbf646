"""Batched stream processing against the real Kafka: a poison record inside a batch goes to
the dead-letter topic alone, and a worker that dies after producing a batch but before its
offsets commit leaves a redelivery that re-emits identical events."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import DeadLettered, MessageClassified, MessageReceived
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform
from tests.integration.test_classifier_workers import T0, Workers, by_message

pytestmark = pytest.mark.integration

# Handles its first batch as usual (events produced and acknowledged by Kafka), records which
# messages it held, and dies before acking them: their offsets never commit.
DIES_AFTER_PRODUCING = (
    "import json, os, sys\n"
    "from opentelemetry import trace\n"
    "from socialcare_classifier.settings import ClassifierSettings\n"
    "from socialcare_classifier.worker import build_app\n"
    "from socialcare_runtime.streams import RecordProcessor, run_worker\n"
    "original = RecordProcessor.process_batch\n"
    "async def process_then_die(self, events, *args):\n"
    "    await original(self, events, *args)\n"
    "    with open(sys.argv[1], 'w') as f:\n"
    "        json.dump([[e.message.partition, e.message.offset] for e in events], f)\n"
    "    os._exit(1)\n"
    "RecordProcessor.process_batch = process_then_die\n"
    "run_worker(build_app(ClassifierSettings(), trace.get_tracer('test')))\n"
)


@pytest.fixture
def workers(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Workers]:
    group = Workers(kafka_bootstrap, tmp_path)
    yield group
    group.stop()


def test_a_poison_record_inside_a_batch_is_dead_lettered_alone(workers: Workers) -> None:
    message = NormalizedMessage(
        platform=Platform.X, channel=ChannelKind.MENTION, brand_account="acmeshop",
        platform_message_id="poison", author=Author(id="same"), text="-", created_at=T0)
    # One customer: one key, one partition, in order. Everything is waiting before the
    # worker starts, so the poison record arrives in the middle of a batch.
    for n in range(12):
        if n == 5:  # well-formed headers, a body that is not the event
            _value, headers = cloudevents.encode(MessageReceived(message=message), source="t")
            workers.producer.send(workers.settings.topic(topics.MESSAGES_RECEIVED),
                                  key=message.conversation_key().encode(), value=b"{not json",
                                  headers=headers)
        workers.send(n, f"hello? my order {n} has not arrived", customer="same",
                     created_at=T0 + timedelta(minutes=n))
    workers.producer.flush()
    workers.start()
    classified = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, 12, 90))
    dead = workers.read(topics.DEADLETTER, DeadLettered, 1, 30)
    assert sorted(classified) == sorted(f"m{n}" for n in range(12))
    assert len(dead) == 1 and dead[0].data.stage == "classify"
    assert dead[0].data.offset == 5 and "invalid MessageReceived" in dead[0].data.reason
    # The rest of the batch kept its order: each message counts the customer's earlier ones.
    for n in range(12):
        reasons = classified[f"m{n}"][0].data.classification.priority_reasons
        assert (f"repeat_contact:{min(n, 9)}" in reasons) if n else not any(
            r.startswith("repeat_contact") for r in reasons)
    assert workers.procs[0].poll() is None


def test_a_worker_dying_before_its_batch_commits_leaves_identical_redeliveries(
        workers: Workers, tmp_path: Path) -> None:
    total = 200
    for n in range(total):
        workers.send(n, ["where is my order?", "love the new app!", "refund me now"][n % 3])
    workers.producer.flush()
    held = tmp_path / "held.json"
    dying = workers.start(DIES_AFTER_PRODUCING.replace("sys.argv[1]", repr(str(held))))
    assert dying.wait(timeout=120) == 1
    in_flight = {tuple(p) for p in json.loads(held.read_text())}
    assert in_flight
    first = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                    len(in_flight), 30))
    assert len(first) == len(in_flight)  # produced and acknowledged before it died

    workers.start()
    events = workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, total, 120)
    found = by_message(events)
    assert len(found) == total, f"missing {total - len(found)} classified messages"
    # The dead worker's batch is handled again: the same event ids, the same content.
    assert {m for m, copies in found.items() if len(copies) > 1} == set(first)
    for copies in found.values():
        assert len({c.id for c in copies}) == 1
        assert len({c.data.model_dump_json() for c in copies}) == 1
    # It committed nothing: its batch began at the first offset of each partition it held.
    starts: dict[int, int] = {}
    for partition, offset in sorted(in_flight):
        starts.setdefault(partition, offset)
    assert set(starts.values()) == {0}


def test_a_worker_joining_mid_stream_loses_nothing(workers: Workers) -> None:
    workers.start()
    for n in range(1000, 1024):
        workers.send(n, "warm up")
    assert len(by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, 24,
                                       90))) == 24
    total = 3000
    for n in range(total // 2):
        workers.send(n, ["where is my order?", "love the new app!", "refund me now"][n % 3])
    workers.producer.flush()
    workers.start()  # the group rebalances while the first worker is busy with a backlog
    for n in range(total // 2, total):
        workers.send(n, ["where is my order?", "love the new app!", "refund me now"][n % 3])
    events = workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, total + 24, 240)
    found = {m for m in by_message(events) if int(m[1:]) < total}
    assert len(found) == total, f"missing {total - len(found)} classified messages"
