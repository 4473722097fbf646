"""The demo replay reads customer tweets from a TWCS CSV through ingest's adapter."""

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialcare_local.replay import as_live, read_twcs

pytestmark = pytest.mark.unit
COLUMNS = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
           "in_response_to_tweet_id"]
WHEN = "Tue Oct 31 22:10:47 +0000 2017"


def write(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "twcs.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def test_only_customer_tweets_are_replayed_with_their_thread_references(tmp_path: Path) -> None:
    path = write(tmp_path, [
        ["1", "115712", "True", WHEN, "@sprintcare my phone is broken", "2", ""],
        ["2", "sprintcare", "False", WHEN, "@115712 sorry to hear that! ^JK", "3", "1"],
        ["3", "115712", "True", WHEN, "@sprintcare still broken", "", "2.0"],
    ])
    messages = list(read_twcs(path))
    assert [m.platform_message_id for m in messages] == ["1", "3"]
    assert {m.brand_account for m in messages} == {"sprintcare"}
    assert messages[0].channel == "mention" and messages[1].channel == "reply"
    assert messages[1].in_reply_to_id == "2"
    assert messages[0].created_at.year == 2017


def test_unusable_rows_are_skipped_not_fatal(tmp_path: Path) -> None:
    path = write(tmp_path, [
        ["1", "115712", "maybe", WHEN, "@sprintcare hi", "", ""],
        ["2", "115712", "True", "yesterday", "@sprintcare hi", "", ""],
        ["3", "115713", "True", WHEN, "@sprintcare hello", "", ""],
    ])
    assert [m.platform_message_id for m in read_twcs(path)] == ["3"]


def test_a_live_replay_keeps_the_spacing_and_ends_now(tmp_path: Path) -> None:
    path = write(tmp_path, [
        ["1", "115712", "True", "Tue Oct 31 22:10:47 +0000 2017", "@sprintcare hi", "", ""],
        ["2", "115713", "True", "Tue Oct 31 22:40:47 +0000 2017", "@sprintcare hello", "", ""],
    ])
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    first, second = as_live(read_twcs(path), now)
    assert second.created_at == now
    assert second.created_at - first.created_at == timedelta(minutes=30)
