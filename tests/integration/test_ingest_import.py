"""Bulk import into the real Kafka: TWCS and JSONL, rejections with line numbers, resume."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from services.ingest.tests.kafka_support import fresh_settings, received
from socialcare_ingest.bootstrap import connect_publisher
from socialcare_ingest.importer import (
    Format,
    Importer,
    ImportProgress,
    checkpoint_path,
    load_checkpoint,
)
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing

pytestmark = pytest.mark.integration
HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
ROWS = [
    '1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,"@115712 I understand.",2,3.0\n',
    "2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare and how,,1.0\n",
    '3,115712,True,Tue Oct 31 22:08:27 +0000 2017,"@sprintcare I sent\nseveral messages",1,\n',
    "4,115713,True,31/10/2017,@sprintcare bad date,,\n",
    "5,115714,True,Tue Oct 31 22:08:27 +0000 2017,@AppleSupport help,,,extra\n",
    "6,115715,True,Tue Oct 31 22:09:27 +0000 2017,@AppleSupport my phone,,\n",
]


def twcs_file(tmp_path: Path, rows: Sequence[str] = ROWS) -> Path:
    path = tmp_path / "twcs.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def run(importer: Importer, source: Path, fmt: Format = "twcs",
        brand_map: dict[str, str] | None = None) -> ImportProgress:
    return asyncio.run(importer.run(source, fmt, checkpoint_path(source, None), brand_map))


@pytest.fixture
def settings(kafka_bootstrap: str) -> IngestSettings:
    return fresh_settings(kafka_bootstrap)


def test_twcs_import_publishes_customers_and_brand_replies(
        tmp_path: Path, settings: IngestSettings) -> None:
    publisher = connect_publisher(settings)
    try:
        progress = run(Importer(publisher, settings.topic_prefix, batch_size=2),
                       twcs_file(tmp_path), brand_map={"sprintcare": "sprint"})
    finally:
        publisher.close()
    assert (progress.accepted, progress.from_brand, progress.rejected_count) == (4, 1, 2)
    # Line numbers are where each record starts (row 3's text spans two lines).
    assert progress.rejected[0][0] == 6 and "created_at" in progress.rejected[0][1]
    assert progress.rejected[1][0] == 7 and "7 TWCS columns" in progress.rejected[1][1]
    records = {r[2].message.platform_message_id: r for r in received(settings, expected=4)}
    assert set(records) == {"1", "2", "3", "6"}
    key, _, brand_reply = records["1"]
    assert brand_reply.message.from_brand and key == "x:sprint:115712"
    assert records["2"][0] == key  # the customer's own messages share the key and partition
    assert records["3"][2].message.text == "@sprintcare I sent\nseveral messages"
    assert records["6"][2].message.brand_account == "AppleSupport"


class FailingAfter(EventPublisher):
    """The real publisher, except that Kafka 'goes down' after ``batches`` acknowledged."""

    def __init__(self, real: EventPublisher, batches: int) -> None:
        self.__dict__.update(real.__dict__)
        self.batches = batches

    async def publish(self, outgoing: Sequence[Outgoing]) -> list[str]:
        if self.batches == 0:
            raise Backpressure("broker gone")
        self.batches -= 1
        return await super().publish(outgoing)


def test_interrupted_import_resumes_without_duplicates(
        tmp_path: Path, settings: IngestSettings) -> None:
    rows = [f"{i},{1000 + i},True,Tue Oct 31 22:10:47 +0000 2017,@acme help {i},,\n"
            for i in range(1, 51)]
    source = twcs_file(tmp_path, rows)
    publisher = connect_publisher(settings)
    try:
        with pytest.raises(Backpressure):
            run(Importer(FailingAfter(publisher, 3), settings.topic_prefix, batch_size=10,
                         window=1), source)
        saved = load_checkpoint(checkpoint_path(source, None), source)
        assert (saved.accepted, saved.line, saved.done) == (30, 31, False)
        progress = run(Importer(publisher, settings.topic_prefix, batch_size=10), source)
        assert (progress.accepted, progress.done) == (50, True)
        # A finished import is not repeated.
        assert run(Importer(publisher, settings.topic_prefix), source).accepted == 50
    finally:
        publisher.close()
    records = received(settings)  # everything on the topic, read until it is idle
    assert sorted(int(r[2].message.platform_message_id) for r in records) == list(range(1, 51))
    assert len({r[1] for r in records}) == 50


def test_cli_imports_jsonl_and_lists_rejected_lines(
        tmp_path: Path, settings: IngestSettings) -> None:
    good = {"platform": "api", "channel": "direct_message", "brand_account": "acme",
            "platform_message_id": "j1", "author": {"id": "u1"}, "text": "hi",
            "created_at": "2026-11-23T10:00:00Z"}
    source = tmp_path / "messages.jsonl"
    source.write_bytes(json.dumps(good).encode() + b"\n\n{broken\n"
                       + json.dumps(good | {"created_at": "yesterday"}).encode() + b"\n")
    env = os.environ | {"SOCIALCARE_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                        "SOCIALCARE_TOPIC_PREFIX": settings.topic_prefix,
                        "SOCIALCARE_TOPIC_PARTITIONS": "1",
                        "SOCIALCARE_STATE_DIR": str(tmp_path / "state"), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "socialcare_ingest", "import", str(source)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "accepted messages" in done.stderr and "rejected rows" in done.stderr
    assert "│    3 │" in done.stderr and "created_at" in done.stderr  # line 3: broken JSON
    assert [r[2].message.platform_message_id for r in received(settings, expected=1)] == ["j1"]
    assert list((tmp_path / "state" / "ingest-import").glob("messages.jsonl.*.checkpoint.json"))
