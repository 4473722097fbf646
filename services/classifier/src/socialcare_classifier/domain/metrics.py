"""Classification scores: accuracy, macro-F1, per-class precision/recall, confusion matrix."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClassScore:
    """Precision, recall and F1 of one label, with how often it was the gold label."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class Scores:
    """Scores of predictions against gold labels."""

    accuracy: float
    macro_f1: float
    per_class: tuple[ClassScore, ...]
    labels: tuple[str, ...]
    # confusion[gold][predicted]
    confusion: dict[str, dict[str, int]]
    total: int


def score(gold: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Scores single-label predictions; macro-F1 averages over the gold labels seen."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    if not gold:
        raise ValueError("nothing to score")
    pairs = Counter(zip(gold, predicted, strict=True))
    gold_labels = sorted(set(gold))
    labels = tuple(gold_labels + sorted(set(predicted) - set(gold)))
    confusion = {g: {p: pairs.get((g, p), 0) for p in labels} for g in labels}
    per_class = []
    for label in gold_labels:
        true_pos = pairs.get((label, label), 0)
        predicted_n = sum(confusion[g][label] for g in labels)
        support = sum(confusion[label].values())
        precision = true_pos / predicted_n if predicted_n else 0.0
        recall = true_pos / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append(ClassScore(label, precision, recall, f1, support))
    correct = sum(n for (g, p), n in pairs.items() if g == p)
    return Scores(
        accuracy=correct / len(gold),
        macro_f1=sum(c.f1 for c in per_class) / len(per_class),
        per_class=tuple(per_class),
        labels=labels,
        confusion=confusion,
        total=len(gold),
    )


def score_multilabel(gold: Sequence[frozenset[str]],
                     predicted: Sequence[frozenset[str]]) -> tuple[float, tuple[ClassScore, ...]]:
    """Macro-F1 and per-label scores when a message may carry several labels."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    labels = sorted(set().union(*gold)) if gold else []
    if not labels:
        raise ValueError("nothing to score")
    per_class = []
    for label in labels:
        true_pos = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        predicted_n = sum(1 for p in predicted if label in p)
        support = sum(1 for g in gold if label in g)
        precision = true_pos / predicted_n if predicted_n else 0.0
        recall = true_pos / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append(ClassScore(label, precision, recall, f1, support))
    return sum(c.f1 for c in per_class) / len(per_class), tuple(per_class)
