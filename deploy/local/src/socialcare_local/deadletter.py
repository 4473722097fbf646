"""Listing and replaying the dead-letter topic after a fix.

Replay re-publishes each dead-lettered record's original key, bytes and headers to the
topic it came from. It reads with a consumer group of its own (one per ``--stage``
filter) and commits only after Kafka acknowledged the re-published records, so each
record is replayed once per group; a crash in between replays a record again, which the
idempotent consumers absorb. Every replayed record carries a ``socialcare_replay_of``
header naming the dead-letter record, and is appended to an audit file.
"""

import base64
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata
from pydantic import ValidationError

from socialcare_contracts import topics
from socialcare_contracts.events import DeadLettered
from socialcare_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)
REPLAY_GROUP = "socialcare-deadletter-replay"
REPLAY_HEADER = "socialcare_replay_of"
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class DeadRecord:
    """A dead-letter record and where it sits in the dead-letter topic."""

    partition: int
    offset: int
    record: DeadLettered

    @property
    def location(self) -> str:
        return f"{topics.DEADLETTER}/{self.partition}@{self.offset}"


@dataclass
class ReplayReport:
    replayed: list[DeadRecord]
    refused: list[tuple[DeadRecord, str]]
    unreadable: int = 0


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``2h``, ``30m``, ``7d`` (ago) or an ISO 8601 time; naive times are UTC."""
    if match := _DURATION.match(text.strip()):
        amount, unit = match.groups()
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {text!r}: use 30m, 2h, 7d or an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def replay_target(dead: DeadRecord, settings: ServiceSettings) -> str | None:
    """The topic to re-publish to, or None when it is not one of this deployment's inputs."""
    allowed = {settings.topic(t) for t in topics.ALL if t != topics.DEADLETTER}
    return dead.record.source_topic if dead.record.source_topic in allowed else None


def original_record(dead: DeadRecord) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    """The key, value and headers as first published, plus the replay marker header."""
    record = dead.record
    key = base64.b64decode(record.key_base64) if record.key_base64 else None
    headers = [(k, v.encode()) for k, v in record.headers.items() if k != REPLAY_HEADER]
    headers.append((REPLAY_HEADER, dead.location.encode()))
    return key, base64.b64decode(record.value_base64), headers


def list_deadletters(settings: ServiceSettings, since: datetime | None = None,
                     stage: str | None = None) -> tuple[list[DeadRecord], int]:
    """The dead-letter records (since a time, of one stage) and the count of unreadable ones."""
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap,
                             enable_auto_commit=False, consumer_timeout_ms=2_000)
    try:
        parts = _assign(consumer, settings.topic(topics.DEADLETTER))
        if since is not None:
            starts = consumer.offsets_for_times(
                {tp: int(since.timestamp() * 1000) for tp in parts})
            for tp in parts:
                found = starts.get(tp)
                if found is None:
                    consumer.seek_to_end(tp)
                else:
                    consumer.seek(tp, found.offset)
        else:
            consumer.seek_to_beginning(*parts)
        found_records, unreadable = [], 0
        for _, _, item in _read_to_end(consumer, parts):
            if item is None:
                unreadable += 1
            elif _matches(item, stage) and (since is None or item.record.dead_lettered_at >= since):
                found_records.append(item)
        return found_records, unreadable
    finally:
        consumer.close()


def replay(settings: ServiceSettings, stage: str | None = None, dry_run: bool = False,
           limit: int | None = None, audit_file: Path | None = None) -> ReplayReport:
    """Re-publishes the records this group has not replayed yet; commits unless ``dry_run``."""
    group = settings.topic(f"{REPLAY_GROUP}-{stage}" if stage else REPLAY_GROUP)
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=group,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    producer = None if dry_run else KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True)
    report = ReplayReport([], [])
    try:
        parts = _assign(consumer, settings.topic(topics.DEADLETTER))
        consumed: dict[TopicPartition, int] = {}
        for tp, offset, item in _read_to_end(consumer, parts):
            if limit is not None and len(report.replayed) >= limit:
                break
            consumed[tp] = offset + 1
            if item is None:
                report.unreadable += 1
                continue
            if not _matches(item, stage):
                continue
            target = replay_target(item, settings)
            if target is None:
                report.refused.append((item, f"{item.record.source_topic} is not an input topic"))
                continue
            if producer is not None:
                key, value, headers = original_record(item)
                producer.send(target, key=key, value=value, headers=headers)
            report.replayed.append(item)
        if producer is not None and consumed:
            producer.flush(timeout=30)
            # Commit only what Kafka acknowledged: a failed flush raised above.
            consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in consumed.items()})
            if audit_file is not None:
                _audit(audit_file, report.replayed)
        return report
    finally:
        if producer is not None:
            producer.close(timeout=10)
        consumer.close(autocommit=False)


def _assign(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    partitions = consumer.partitions_for_topic(topic)
    if not partitions:
        raise RuntimeError(f"no topic {topic} (has any service started?)")
    parts = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(parts)
    return parts


def _read_to_end(consumer: KafkaConsumer, parts: list[TopicPartition]
                 ) -> Iterator[tuple[TopicPartition, int, DeadRecord | None]]:
    """Each record up to the end offsets seen at the start (None when unreadable)."""
    ends = consumer.end_offsets(parts)
    pending = {tp for tp in parts if consumer.position(tp) < ends[tp]}
    while pending:
        batch = consumer.poll(timeout_ms=1_000)
        if not batch and all(consumer.position(tp) >= ends[tp] for tp in pending):
            break
        for tp, records in batch.items():
            for message in records:
                if message.offset >= ends[tp]:
                    continue
                yield tp, message.offset, _decode(tp.partition, message.offset, message.value)
            if consumer.position(tp) >= ends[tp]:
                pending.discard(tp)


def _decode(partition: int, offset: int, value: bytes | None) -> DeadRecord | None:
    try:
        return DeadRecord(partition, offset, DeadLettered.model_validate_json(value or b""))
    except ValidationError:
        log.warning("dead-letter record %d@%d is not a DeadLettered event", partition, offset)
        return None


def _matches(item: DeadRecord, stage: str | None) -> bool:
    return stage is None or item.record.stage == stage


def _audit(path: Path, replayed: Iterable[DeadRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    at = datetime.now(UTC).isoformat()
    with path.open("a", encoding="utf-8") as f:
        for item in replayed:
            f.write(json.dumps({"replayed_at": at, "from": item.location,
                                "to": item.record.source_topic, "stage": item.record.stage,
                                "source_offset": item.record.offset}) + "\n")
