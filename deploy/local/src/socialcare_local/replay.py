"""Sample traffic for a local stack: JSON lines or the public TWCS CSV, posted to ingest."""

import csv
import itertools
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from socialcare_contracts.messages import NormalizedMessage
from socialcare_ingest.adapters import Rejected
from socialcare_ingest.adapters.twcs import twcs_message

BATCH_SIZE = 100


def read_jsonl(path: Path) -> Iterator[NormalizedMessage]:
    """One NormalizedMessage per non-empty line."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield NormalizedMessage.model_validate_json(line)
                except ValueError as error:
                    raise ValueError(f"{path}:{number}: {error}") from error


def read_twcs(path: Path) -> Iterator[NormalizedMessage]:
    """The customer tweets of a 'Customer Support on Twitter' CSV, in file order.

    Rows are mapped by ingest's own TWCS adapter; unusable rows are skipped here (the
    importer, ``python -m socialcare_ingest import``, reports them with reasons).
    """
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            try:
                found = twcs_message(row, {})
            except Rejected:
                continue
            if not found.message.from_brand:
                yield found.message


def as_live(messages: Iterable[NormalizedMessage],
            now: datetime | None = None) -> list[NormalizedMessage]:
    """The messages shifted in time so the newest was written just now, spacing kept.

    A demo replays old samples as if customers were writing today, so deadlines, live
    countdowns and response-time reports look as they will with real traffic.
    """
    batch = list(messages)
    if not batch:
        return batch
    shift = (now or datetime.now(UTC)) - max(m.created_at for m in batch)
    return [m.model_copy(update={"created_at": m.created_at + shift}) for m in batch]


def count_lines(path: Path) -> int:
    """Non-empty lines, for a progress bar's total."""
    with path.open(encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def post_messages(
    messages: Iterable[NormalizedMessage],
    ingest_url: str,
    api_key: str,
    total: int | None = None,
) -> int:
    """POSTs the messages to ingest in batches, with a progress bar; returns how many."""
    columns = (
        TextColumn("[bold]replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
    )
    sent = 0
    iterator = iter(messages)
    with httpx.Client(headers={"X-API-Key": api_key}, timeout=30.0) as client, Progress(
        *columns
    ) as progress:
        task = progress.add_task("replay", total=total)
        while batch := list(itertools.islice(iterator, BATCH_SIZE)):
            body = {"messages": [m.model_dump(mode="json") for m in batch]}
            response = client.post(f"{ingest_url}/v1/messages", json=body)
            if response.status_code >= 300:
                raise RuntimeError(
                    f"ingest answered {response.status_code}: {response.text[:500]}"
                )
            sent += len(batch)
            progress.update(task, advance=len(batch))
    return sent
