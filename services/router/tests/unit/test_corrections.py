"""Agents' corrections as pure rules: what is refused, and the training row a stored
correction becomes."""

from datetime import UTC, datetime

import pytest

from socialcare_router.domain.corrections import (
    EXPORT_COLUMNS,
    InvalidCorrection,
    correction_id,
    csv_row,
    effective,
    example,
    original_labels,
    validate,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("given", "reason"), [
    ({"sentiment": "angry"}, "sentiment must be one of"),
    ({"sentiment": "Negative"}, "sentiment must be one of"),
    ({"intents": ["refund_return", "free_money"]}, "unknown intent 'free_money'"),
    ({"language": "english"}, "BCP 47"),
    ({"language": "e"}, "BCP 47"),
    ({"category": "a" * 65}, "1-64"),
    ({"category": "<script>"}, "1-64"),
    ({"category": "   "}, "1-64"),
    ({"sentiment": "negative", "category": " "}, "1-64"),
    ({}, "at least one"),
])
def test_a_bad_label_is_refused_with_its_reason(given: dict, reason: str) -> None:
    with pytest.raises(InvalidCorrection, match=reason):
        validate(**given)


def test_labels_are_kept_in_their_canonical_form() -> None:
    labels = validate(sentiment="negative", intents=["outage", "refund_return", "outage"],
                      language="pt-br", category=" billing ")
    assert labels.given() == {"sentiment": "negative", "intents": ["outage", "refund_return"],
                              "language": "pt-BR", "category": "billing"}
    assert validate(language="zh-Hant").language == "zh-Hant"


def test_no_intents_is_a_correction_of_its_own() -> None:
    assert validate(intents=[]).given() == {"intents": []}


def test_a_brands_own_intents_may_be_allowed() -> None:
    assert validate(intents=["lost_bag"], known_intents=["lost_bag"]).intents == ("lost_bag",)


def test_ids_are_one_per_brand_and_message() -> None:
    assert correction_id("Acme", "x:acme:1") == correction_id("acme", "x:acme:1")
    assert correction_id("acme", "x:acme:1") != correction_id("acme", "x:acme:2")


STORED = {
    "_id": "acme|x:acme:1", "brand_account": "acme", "message_id": "x:acme:1",
    "text": "94 min hold, need more agents", "corrected_by": "agent-a",
    "corrected_at": datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
    "labels": {"sentiment": "negative"},
    "original": original_labels({"sentiment": {"label": "neutral", "score": 0.0},
                                 "intents": ["service_complaint"], "language": "en",
                                 "categories": ["delays"],
                                 "decided_by": {"sentiment": "lexicon"}}),
}


def test_the_classifiers_labels_stand_where_the_agent_changed_none() -> None:
    assert STORED["original"]["decided_by"] == {"sentiment": "lexicon"}
    assert effective(STORED) == {"sentiment": "negative", "intents": ["service_complaint"],
                                 "language": "en", "category": "delays"}


def test_a_correction_becomes_the_row_train_sentiment_reads() -> None:
    row = example(STORED)
    assert list(row) == list(EXPORT_COLUMNS)
    assert (row["text"], row["label"], row["brand"]) == (
        "94 min hold, need more agents", "negative", "acme")
    assert row["corrected_by"] == "agent-a" and row["corrected_at"].startswith("2026-12-03T16")
    assert csv_row(row)[2] == "service_complaint"


def test_a_sentiment_nobody_corrected_is_no_label() -> None:
    row = example({**STORED, "labels": {"intents": ["outage", "refund_return"]}})
    assert row["label"] == ""
    assert csv_row(row)[2] == "outage;refund_return"
