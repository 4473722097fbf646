"""Bulk import: JSONL of normalized messages or the TWCS CSV, straight to Kafka, resumable.

Rows are published in order, in batches; after each batch Kafka acknowledged, the last
row's line number goes to a checkpoint file, so an interrupted import resumes after it.
Event ids are derived from the message, so a row sent twice is the same event.
"""

import asyncio
import csv
import hashlib
import json
import logging
import os
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from socialcare_contracts import topics
from socialcare_contracts.events import MessageReceived
from socialcare_contracts.messages import NormalizedMessage
from socialcare_ingest.adapters import Rejected
from socialcare_ingest.adapters.twcs import COLUMNS, thread_brands, twcs_message
from socialcare_ingest.domain.identity import message_event_id
from socialcare_runtime.publisher import EventPublisher, Outgoing

log = logging.getLogger(__name__)
Format = Literal["jsonl", "twcs"]
MAX_KEPT_REJECTIONS = 10_000


@dataclass
class ImportProgress:
    """What an import has done so far; persisted as the checkpoint."""

    input: str
    line: int = 0
    accepted: int = 0
    from_brand: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    rejected_count: int = 0
    done: bool = False


@dataclass(frozen=True)
class Row:
    line: int
    outgoing: Outgoing | None
    reason: str | None = None


def checkpoint_path(source: Path, state_dir: str | None) -> Path:
    """Beside the input, or under ``state_dir`` when set (read-only input folders)."""
    if state_dir:
        digest = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
        return Path(state_dir) / "ingest-import" / f"{source.name}.{digest}.checkpoint.json"
    return source.with_name(source.name + ".checkpoint.json")


def load_checkpoint(path: Path, source: Path) -> ImportProgress:
    """The saved progress of this input, or a fresh start."""
    if not path.exists():
        return ImportProgress(input=str(source.resolve()))
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["rejected"] = [tuple(r) for r in saved["rejected"]]
    return ImportProgress(**saved)


def save_checkpoint(path: Path, progress: ImportProgress) -> None:
    """Atomically: a crash leaves the previous checkpoint, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(progress.__dict__), encoding="utf-8")
    os.replace(tmp, path)


# An import replays what happened: a message dated after now (beyond clock skew) is a
# mistake, and the deadlines derived from it could pass every store's date range.
FUTURE_SKEW = timedelta(days=1)


def _row(number: int, topic: str, message: NormalizedMessage, key: str | None = None) -> Row:
    """The row's message to publish, or its rejection."""
    if message.created_at > datetime.now(UTC) + FUTURE_SKEW:
        return Row(number, None, f"created_at {message.created_at.isoformat()} is in the future")
    return Row(number, Outgoing(topic, key or message.conversation_key(),
                                MessageReceived(message=message), message_event_id(message)))


def read_jsonl(source: Path, topic: str) -> Iterator[Row]:
    """One normalized message per non-empty line."""
    with source.open("rb") as lines:
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                message = NormalizedMessage.model_validate_json(raw)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(map(str, first["loc"]))
                yield Row(number, None, f"{where}: {first['msg']}" if where else first["msg"])
                continue
            yield _row(number, topic, message)


def _twcs_records(source: Path) -> Iterator[tuple[int, dict[Any, Any] | None]]:
    """(line a record starts on, record); a None record is a wrong header."""
    width = len(COLUMNS)
    with source.open(encoding="utf-8", errors="surrogateescape", newline="") as f:
        # csv.reader rather than DictReader (a fifth of the parsing time), with its rules:
        # blank records skipped, extra fields under None, missing ones None.
        reader = csv.reader(f)
        if tuple(next(reader, ())) != COLUMNS:
            yield 1, None
            return
        start = reader.line_num + 1
        for fields in reader:
            if not fields:
                start = reader.line_num + 1
                continue
            record: dict[Any, Any] = dict(zip(COLUMNS, fields, strict=False))
            if len(fields) > width:
                record[None] = fields[width:]
            elif len(fields) < width:
                record.update(dict.fromkeys(COLUMNS[len(fields):]))
            yield start, record
            start = reader.line_num + 1


def read_twcs(source: Path, topic: str, brand_map: Mapping[str, str]) -> Iterator[Row]:
    """One message per CSV record; quoted text may span lines, so records are numbered by
    the line they start on. A first pass finds each thread's brand (see ``thread_brands``)."""
    thread = thread_brands(r for _, r in _twcs_records(source) if r is not None)
    for start, record in _twcs_records(source):
        if record is None:
            yield Row(start, None, f"header is not {','.join(COLUMNS)}")
            return
        try:
            found = twcs_message(record, brand_map, thread)
        except Rejected as exc:
            yield Row(start, None, str(exc))
        else:
            yield _row(start, topic, found.message, found.key)


def count_lines(source: Path) -> int:
    """Lines in the file, for the progress bar."""
    with source.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


@dataclass
class Batch:
    """Rows published together; their rejections are recorded only once the batch is acked."""

    line: int = 0
    outgoing: list[Outgoing] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    from_brand: int = 0

    def add(self, row: Row) -> None:
        self.line = row.line
        if row.outgoing is None:
            self.rejected.append((row.line, row.reason or "rejected"))
            return
        self.outgoing.append(row.outgoing)
        data = row.outgoing.data
        self.from_brand += isinstance(data, MessageReceived) and data.message.from_brand


@dataclass
class Importer:
    publisher: EventPublisher
    topic_prefix: str = ""
    batch_size: int = 1000
    window: int = 4  # batches awaiting Kafka's ack at once
    console: Console = field(default_factory=lambda: Console(stderr=True))

    async def run(self, source: Path, fmt: Format, checkpoint: Path,
                  brand_map: Mapping[str, str] | None = None) -> ImportProgress:
        """Imports ``source`` from its checkpoint on; raises ``Backpressure`` if Kafka fails."""
        progress = load_checkpoint(checkpoint, source)
        if progress.done:
            return progress
        topic = self.topic_prefix + topics.MESSAGES_RECEIVED
        rows = (read_jsonl(source, topic) if fmt == "jsonl"
                else read_twcs(source, topic, brand_map or {}))
        pending: deque[tuple[asyncio.Task[list[str]], Batch]] = deque()
        batch = Batch()

        async def settle_oldest() -> None:
            task, done = pending.popleft()
            await task
            progress.line = max(progress.line, done.line)
            progress.accepted += len(done.outgoing)
            progress.from_brand += done.from_brand
            progress.rejected_count += len(done.rejected)
            room = MAX_KEPT_REJECTIONS - len(progress.rejected)
            progress.rejected.extend(done.rejected[:max(0, room)])
            save_checkpoint(checkpoint, progress)

        async def flush() -> None:
            nonlocal batch
            if batch.line == 0:
                return
            pending.append((asyncio.create_task(self.publisher.publish(batch.outgoing)), batch))
            batch = Batch()
            while len(pending) > self.window:
                await settle_oldest()

        columns = (TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("lines"), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=False) as bar:
            task_id = bar.add_task("import", total=count_lines(source), completed=progress.line)
            try:
                for row in rows:
                    if row.line <= progress.line:
                        continue
                    batch.add(row)
                    if len(batch.outgoing) >= self.batch_size:
                        await flush()
                        bar.update(task_id, completed=row.line)
                await flush()
                while pending:
                    await settle_oldest()
            finally:
                # Anything not yet acknowledged is re-sent on resume (same event ids).
                for task, *_ in pending:
                    task.cancel()
                bar.update(task_id, completed=progress.line)
        progress.done = True
        save_checkpoint(checkpoint, progress)
        return progress

    def report(self, progress: ImportProgress, elapsed_s: float, imported_now: int) -> None:
        """Prints the totals and every kept rejection with its line number."""
        totals = Table(title="import")
        totals.add_column("measure")
        totals.add_column("value", justify="right")
        for name, value in (("accepted messages", progress.accepted),
                            ("of which brand replies", progress.from_brand),
                            ("rejected rows", progress.rejected_count),
                            ("messages/s (this run)",
                             round(imported_now / elapsed_s) if elapsed_s > 0 else 0)):
            totals.add_row(name, f"{value:,}")
        self.console.print(totals)
        if progress.rejected:
            rejected = Table(title="rejected rows")
            rejected.add_column("line", justify="right")
            rejected.add_column("reason")
            for line, reason in progress.rejected:
                rejected.add_row(str(line), reason)
            self.console.print(rejected)
            if progress.rejected_count > len(progress.rejected):
                self.console.print(f"... and {progress.rejected_count - len(progress.rejected):,} "
                                   "more rejected rows not listed")
