"""Sample traffic for a local stack: JSON lines or the public TWCS CSV, posted to ingest."""

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from socialcare_contracts.messages import (
    Author,
    ChannelKind,
    NormalizedMessage,
    Platform,
)

BATCH_SIZE = 100
TWCS_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # Tue Oct 31 22:10:47 +0000 2017
_HANDLE = re.compile(r"@(\w+)")


def read_jsonl(path: Path) -> Iterator[NormalizedMessage]:
    """One NormalizedMessage per non-empty line."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield NormalizedMessage.model_validate_json(line)
                except ValueError as error:
                    raise ValueError(f"{path}:{number}: {error}") from error


def brand_handle(text: str) -> str:
    """The first @handle that is not all digits (TWCS numbers customers, names brands)."""
    for handle in _HANDLE.findall(text):
        if not handle.isdigit():
            return handle
    return "unknown"


def _tweet_id(value: str) -> str | None:
    """TWCS ids may be float strings ("3.0") or empty."""
    value = value.strip()
    return str(int(float(value))) if value else None


def twcs_message(row: Mapping[str, str]) -> NormalizedMessage | None:
    """A customer's tweet as a NormalizedMessage; None for the brands' own (outbound) tweets."""
    if row["inbound"].strip().lower() != "true":
        return None
    in_reply_to = _tweet_id(row.get("in_response_to_tweet_id") or "")
    return NormalizedMessage(
        platform=Platform.X,
        channel=ChannelKind.REPLY if in_reply_to else ChannelKind.MENTION,
        brand_account=brand_handle(row["text"]),
        platform_message_id=row["tweet_id"].strip(),
        in_reply_to_id=in_reply_to,
        author=Author(id=row["author_id"]),
        text=row["text"],
        created_at=datetime.strptime(row["created_at"], TWCS_TIME_FORMAT),
    )


def read_twcs(path: Path) -> Iterator[NormalizedMessage]:
    """The inbound tweets of a 'Customer Support on Twitter' CSV, in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            message = twcs_message(row)
            if message is not None:
                yield message


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
