"""The shipped labelled set: well formed, covering every language and intent, scored above floors.

The floors guard against regressions; the exact figures are printed by nothing and kept
out of the code so nobody tunes the rules to one number.
"""

import csv
from datetime import UTC, datetime
from importlib.resources import files

import pytest

from socialcare_classifier.domain.classify import classify
from socialcare_classifier.domain.intents import TAXONOMY
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform

pytestmark = pytest.mark.unit

LANGUAGES = {"en", "es", "fr", "de", "pt", "it", "nl", "ko", "ja"}


def load() -> list[dict[str, str]]:
    source = files("socialcare_classifier.data").joinpath("eval_messages.csv")
    with source.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_eval_set_is_well_formed_and_covers_the_taxonomy() -> None:
    rows = load()
    assert len(rows) >= 150
    assert {r["language"] for r in rows} == LANGUAGES
    assert {r["sentiment"] for r in rows} == {"negative", "neutral", "positive"}
    labelled = {i for r in rows for i in r["intents"].split(";") if i}
    assert labelled == set(TAXONOMY)
    assert len({r["text"] for r in rows}) == len(rows)


def test_classifier_stays_above_floors_on_the_eval_set() -> None:
    rows = load()
    lang = sent = hits = gold_total = 0
    for i, row in enumerate(rows):
        result = classify(
            NormalizedMessage(
                platform=Platform.X,
                channel=ChannelKind.MENTION,
                brand_account="acmeshop",
                platform_message_id=f"eval-{i}",
                author=Author(id="eval"),
                text=row["text"],
                created_at=datetime(2026, 11, 2, tzinfo=UTC),
            )
        )
        gold = {x for x in row["intents"].split(";") if x}
        lang += result.language == row["language"]
        sent += result.sentiment.label.value == row["sentiment"]
        hits += len(gold & set(result.intents))
        gold_total += len(gold)
    assert lang / len(rows) >= 0.95
    assert sent / len(rows) >= 0.85
    assert hits / gold_total >= 0.85
