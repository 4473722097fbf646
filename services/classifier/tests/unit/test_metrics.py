import pytest

from socialcare_classifier.domain.metrics import score, score_multilabel

pytestmark = pytest.mark.unit


def test_scores_match_a_hand_worked_example() -> None:
    gold = ["neg", "neg", "neg", "pos", "pos", "neu"]
    pred = ["neg", "neg", "pos", "pos", "neu", "neu"]
    s = score(gold, pred)
    assert s.accuracy == pytest.approx(4 / 6)
    by = {c.label: c for c in s.per_class}
    assert (by["neg"].precision, by["neg"].recall) == (1.0, pytest.approx(2 / 3))
    assert (by["pos"].precision, by["pos"].recall) == (0.5, 0.5)
    assert (by["neu"].precision, by["neu"].recall) == (0.5, 1.0)
    assert s.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert s.confusion["neg"] == {"neg": 2, "neu": 0, "pos": 1}
    assert sum(sum(row.values()) for row in s.confusion.values()) == 6


def test_a_label_only_predicted_appears_in_the_confusion_but_not_the_macro_average() -> None:
    s = score(["a", "b"], ["a", "c"])
    assert "c" in s.labels and [c.label for c in s.per_class] == ["a", "b"]
    assert s.macro_f1 == pytest.approx(0.5)


def test_multilabel_scores_each_label_on_its_own() -> None:
    macro, per = score_multilabel([frozenset({"x", "y"}), frozenset({"y"})],
                                  [frozenset({"x"}), frozenset({"y", "z"})])
    by = {c.label: c for c in per}
    assert by["x"].f1 == 1.0 and by["y"].recall == 0.5
    assert macro == pytest.approx((1.0 + 2 / 3) / 2)


def test_refuses_mismatched_or_empty_input() -> None:
    with pytest.raises(ValueError):
        score(["a"], [])
    with pytest.raises(ValueError):
        score([], [])
