import csv
from importlib.resources import files
from pathlib import Path

import pytest

from socialcare_classifier.data.twcs_intents import as_taxonomy, read_twcs_intents
from socialcare_classifier.domain.intents import (
    TAXONOMY,
    detect_intents,
    reconcile_with_sentiment,
)
from socialcare_classifier.domain.metrics import score_multilabel
from socialcare_classifier.domain.sentiment import analyze_sentiment

pytestmark = pytest.mark.unit

TWCS = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "twcs-sample.csv"


def test_labels_ship_without_text_and_use_the_default_intents() -> None:
    source = files("socialcare_classifier.data").joinpath("twcs_intent_labels.csv")
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["tweet_id", "intents", "split"]  # no text column: CC BY-NC-SA
    assert len(rows) >= 300
    assert {r["split"] for r in rows} == {"dev", "test"}
    assert {i for r in rows for i in r["intents"].split(";") if i} <= set(TAXONOMY)


def test_a_question_beside_another_intent_is_read_as_the_taxonomy_defines_it() -> None:
    assert as_taxonomy("product_defect;general_question") == {"product_defect"}
    assert as_taxonomy("praise;general_question") == {"praise", "general_question"}
    assert as_taxonomy("") == frozenset()


def test_without_the_shared_data_the_set_is_empty(tmp_path: Path) -> None:
    assert read_twcs_intents(tmp_path / "absent.csv") == []


@pytest.mark.skipif(not TWCS.exists(), reason=f"{TWCS} absent (shared data)")
def test_rules_on_the_held_out_half_of_labelled_real_tweets() -> None:
    test = [r for r in read_twcs_intents(TWCS) if r.split == "test"]
    assert len(test) == 160
    found = [frozenset(reconcile_with_sentiment(detect_intents(r.text),
                                                analyze_sentiment(r.text).score, r.text))
             for r in test]
    macro_f1, per_intent = score_multilabel([r.intents for r in test], found)
    assert macro_f1 >= 0.45  # 0.41 before issue 16
    praise = next(c for c in per_intent if c.label == "praise")
    assert praise.precision >= 0.6 and praise.recall >= 0.8  # 0.42 / 0.91 before
