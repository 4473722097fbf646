"""Listing and replaying the dead-letter topic against the real Kafka broker."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import DeadLettered
from socialcare_local import deadletter
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.metrics import consumer_lag
from socialcare_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(kafka_bootstrap: str) -> ServiceSettings:
    settings = ServiceSettings(kafka_bootstrap=kafka_bootstrap,
                               topic_prefix=f"dl{uuid.uuid4().hex[:8]}.")
    ensure_topics(kafka_bootstrap, [settings.topic(t) for t in topics.ALL], partitions=2)
    return settings


def dead_letter(settings: ServiceSettings, records: list[DeadLettered]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    for record in records:
        value, headers = cloudevents.encode(record, source=record.service)
        key = base64.b64decode(record.key_base64) if record.key_base64 else None
        producer.send(settings.topic(topics.DEADLETTER), key=key, value=value, headers=headers)
    producer.send(settings.topic(topics.DEADLETTER), key=b"k", value=b"not a DeadLettered event")
    producer.flush()
    producer.close()


def poisoned(settings: ServiceSettings, n: int, stage: str, source: str,
             at: datetime | None = None) -> DeadLettered:
    value = json.dumps({"n": n, "stage": stage}).encode()
    return DeadLettered(
        reason="KeyError: 'queue'", stage=stage, service="socialcare-test",
        source_topic=settings.topic(source), partition=0, offset=n,
        key_base64=base64.b64encode(f"x:acme:{n}".encode()).decode(),
        value_base64=base64.b64encode(value).decode(),
        headers={"ce_id": f"event-{n}", "ce_type": source, "traceparent": "00-" + "1" * 32
                 + "-" + "2" * 16 + "-01"},
        dead_lettered_at=at or datetime.now(UTC))


def read_all(settings: ServiceSettings, topic: str) -> list:
    consumer = KafkaConsumer(settings.topic(topic), bootstrap_servers=settings.kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3_000)
    try:
        return list(consumer)
    finally:
        consumer.close()


def test_replay_republishes_original_bytes_once(settings: ServiceSettings, tmp_path: Path) -> None:
    records = [poisoned(settings, n, "classify", topics.MESSAGES_RECEIVED) for n in range(3)]
    records.append(poisoned(settings, 10, "route", topics.MESSAGES_CLASSIFIED))
    dead_letter(settings, records)
    audit = tmp_path / "replays.jsonl"

    dry = deadletter.replay(settings, stage="classify", dry_run=True)
    assert len(dry.replayed) == 3
    assert read_all(settings, topics.MESSAGES_RECEIVED) == []

    report = deadletter.replay(settings, stage="classify", audit_file=audit)
    assert len(report.replayed) == 3, "a dry run must not commit"
    assert report.unreadable == 1
    replayed = read_all(settings, topics.MESSAGES_RECEIVED)
    assert sorted(json.loads(r.value)["n"] for r in replayed) == [0, 1, 2]
    first = next(r for r in replayed if json.loads(r.value)["n"] == 0)
    assert first.key == b"x:acme:0"
    headers = dict(first.headers)
    assert headers["ce_id"] == b"event-0"
    assert headers["traceparent"] == records[0].headers["traceparent"].encode()
    assert headers[deadletter.REPLAY_HEADER].startswith(topics.DEADLETTER.encode())
    assert read_all(settings, topics.MESSAGES_CLASSIFIED) == [], "other stages stay put"
    assert len(audit.read_text().splitlines()) == 3

    again = deadletter.replay(settings, stage="classify")
    assert again.replayed == []
    assert len(read_all(settings, topics.MESSAGES_RECEIVED)) == 3


def test_limit_leaves_the_rest_for_the_next_run(settings: ServiceSettings) -> None:
    dead_letter(settings, [poisoned(settings, n, "send", topics.REPLIES_REQUESTED)
                           for n in range(5)])
    group = settings.topic(deadletter.REPLAY_GROUP)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        first = deadletter.replay(settings, limit=2)
        # The replay group's lag is what is left to replay (3 records and the unreadable one).
        assert consumer_lag(admin, group) == {settings.topic(topics.DEADLETTER): 4}
        second = deadletter.replay(settings)
        assert consumer_lag(admin, group) == {settings.topic(topics.DEADLETTER): 0}
    finally:
        admin.close()
    assert len(first.replayed) == 2
    assert len(second.replayed) == 3
    replayed = sorted(json.loads(r.value)["n"] for r in read_all(settings,
                                                                 topics.REPLIES_REQUESTED))
    assert replayed == [0, 1, 2, 3, 4]


def test_refuses_to_replay_into_a_topic_that_is_no_input(settings: ServiceSettings) -> None:
    loop = poisoned(settings, 1, "classify", topics.DEADLETTER)
    foreign = poisoned(settings, 2, "classify", topics.MESSAGES_RECEIVED)
    foreign = foreign.model_copy(
        update={"source_topic": "other-tenant." + topics.MESSAGES_RECEIVED})
    dead_letter(settings, [loop, foreign])
    report = deadletter.replay(settings)
    assert report.replayed == []
    assert len(report.refused) == 2
    assert read_all(settings, topics.MESSAGES_RECEIVED) == []


def test_list_filters_by_stage_and_time(settings: ServiceSettings) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    dead_letter(settings, [poisoned(settings, 1, "classify", topics.MESSAGES_RECEIVED, at=old),
                           poisoned(settings, 2, "classify", topics.MESSAGES_RECEIVED),
                           poisoned(settings, 3, "route", topics.MESSAGES_CLASSIFIED)])
    everything, unreadable = deadletter.list_deadletters(settings)
    assert sorted(r.record.offset for r in everything) == [1, 2, 3]
    assert unreadable == 1
    classify, _ = deadletter.list_deadletters(settings, stage="classify")
    assert sorted(r.record.offset for r in classify) == [1, 2]
    recent, _ = deadletter.list_deadletters(settings, since=deadletter.parse_since("1d"))
    assert sorted(r.record.offset for r in recent) == [2, 3]


def test_parse_since() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert deadletter.parse_since("2h", now) == now - timedelta(hours=2)
    assert deadletter.parse_since("2026-11-20T08:00:00") == datetime(2026, 11, 20, 8, tzinfo=UTC)
    with pytest.raises(ValueError, match="--since"):
        deadletter.parse_since("yesterday")
