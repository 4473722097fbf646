"""Complaint reasons as a brand taxonomy: which learner, measured on the airline set.

    python -m bench.complaint_reasons [--no-embeddings]

The negative tweets of ``../shared/data/airline-dev.csv`` with a reason other than "Can't
Tell" (nine reasons, 2,135 tweets) are split as ``bench.classifier_eval`` splits them (20 %
held out, seed 7). Each design chooses its settings by 5-fold cross-validation on the
training part alone, is fitted on all of it, and is scored once on the held-out part:

- naive Bayes: the model ``train`` ships for brand taxonomies;
- the fast sentiment stage's linear model (TF-IDF word and character n-grams and cues),
  unweighted and with balanced class weights;
- logistic regression on the deep stage's e5 embeddings (balanced), and the embedding beside
  the n-grams in one model (needs the ``deep`` extra; ``--no-embeddings`` skips both).

Prints one table: CV macro-F1 of the chosen setting, held-out macro-F1 and accuracy.
"""

import argparse
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.progress import Progress
from rich.table import Table
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from bench.classifier_eval import SHARED_AIRLINE
from bench.common import console
from socialcare_classifier.domain.metrics import score
from socialcare_classifier.domain.taxonomy import split_holdout, train_model
from socialcare_classifier.sentiment_training import featurize, folds, matrix, vocabularies_of

HOLDOUT = 0.2
C_GRID = (1.0, 3.0, 10.0)
# How much the embedding weighs beside the unit-length n-gram blocks in the joint model.
EMBEDDING_WEIGHTS = (1.0, 2.0)
Row = tuple[str, str]
# A design: fitted on training rows (indices, labels, setting), predicts rows of a part.
Fit = Callable[[Sequence[int], Sequence[str], Any], Callable[[str, Sequence[int]], list[str]]]


@dataclass(frozen=True)
class Result:
    design: str
    setting: str
    cv_macro_f1: float
    held_out_macro_f1: float
    held_out_accuracy: float


def read_reasons(path: Any) -> list[Row]:
    """(text, reason) of the negative tweets with a reason a reader could tell."""
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["text"], r["negativereason"]) for r in csv.DictReader(f)
                if r.get("text") and r.get("negativereason")
                and r["negativereason"] != "Can't Tell"]


class Inputs:
    """Each part's texts, n-gram features and (optionally) embeddings, computed once."""

    def __init__(self, train: list[Row], test: list[Row], embeddings: bool) -> None:
        self.texts = {"train": [t for t, _ in train], "test": [t for t, _ in test]}
        self.features = {part: featurize(texts) for part, texts in self.texts.items()}
        self.embeddings: dict[str, np.ndarray] = {}
        if embeddings:
            from socialcare_classifier.deep.embedder import Embedder

            embedder = Embedder(threads=2)
            self.embeddings = {part: embedder.embed(texts) for part, texts in self.texts.items()}


def _linear(inputs: Inputs, class_weight: str | None, embedding_weight: float | None
            ) -> Fit:
    """The fast stage's n-gram model, optionally with the embedding beside it."""
    def fit(rows: Sequence[int], labels: Sequence[str], c: float
            ) -> Callable[[str, Sequence[int]], list[str]]:
        train = [inputs.features["train"][i] for i in rows]
        vocabularies = vocabularies_of(train)

        def design(part: str, which: Sequence[int]) -> sparse.csr_matrix:
            x = matrix([inputs.features[part][i] for i in which], vocabularies)
            if embedding_weight is None:
                return x
            dense = inputs.embeddings[part][list(which)] * embedding_weight
            return sparse.hstack([x, sparse.csr_matrix(dense)]).tocsr()

        model = LogisticRegression(C=c, max_iter=5000, class_weight=class_weight)
        model.fit(design("train", rows), list(labels))
        return lambda part, which: list(model.predict(design(part, which)))
    return fit


def _embedding(inputs: Inputs) -> Fit:
    def fit(rows: Sequence[int], labels: Sequence[str], c: float
            ) -> Callable[[str, Sequence[int]], list[str]]:
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
        model.fit(inputs.embeddings["train"][list(rows)], list(labels))
        return lambda part, which: list(model.predict(inputs.embeddings[part][list(which)]))
    return fit


def _naive_bayes(inputs: Inputs) -> Fit:
    def fit(rows: Sequence[int], labels: Sequence[str], _: Any
            ) -> Callable[[str, Sequence[int]], list[str]]:
        model = train_model([inputs.texts["train"][i] for i in rows], labels)
        return lambda part, which: [model.predict(inputs.texts[part][i]) for i in which]
    return fit


def evaluate(name: str, fit: Fit, settings: Sequence[Any], labels: list[str],
             test_labels: list[str], progress: Progress) -> Result:
    """Chooses the setting by 5-fold CV on the training part, then scores the held out."""
    fold_of = folds(labels, 5, 7)
    task = progress.add_task(name, total=len(settings) * 5 + 1)
    cv = {}
    for setting in settings:
        results = []
        for fold in range(5):
            train = [i for i in range(len(labels)) if fold_of[i] != fold]
            test = [i for i in range(len(labels)) if fold_of[i] == fold]
            predict = fit(train, [labels[i] for i in train], setting)
            results.append(score([labels[i] for i in test], predict("train", test)).macro_f1)
            progress.advance(task)
        cv[setting] = sum(results) / len(results)
    best = max(cv, key=cv.__getitem__)
    predict = fit(range(len(labels)), labels, best)
    held_out = score(test_labels, predict("test", range(len(test_labels))))
    progress.advance(task)
    return Result(name, str(best), cv[best], held_out.macro_f1, held_out.accuracy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    if not SHARED_AIRLINE.exists():
        console.print(f"{SHARED_AIRLINE} absent: no figures")
        return
    train, test = split_holdout(read_reasons(SHARED_AIRLINE), HOLDOUT)
    labels, test_labels = [label for _, label in train], [label for _, label in test]
    console.print(f"{len(train)} training tweets, {len(test)} held out, "
                  f"{len(set(labels))} reasons; embedding and featurising ...")
    inputs = Inputs(train, test, embeddings=not args.no_embeddings)
    designs: list[tuple[str, Fit, Sequence[Any]]] = [
        ("naive Bayes (train's model)", _naive_bayes(inputs), ("-",)),
        ("linear n-grams", _linear(inputs, None, None), C_GRID),
        ("linear n-grams, balanced", _linear(inputs, "balanced", None), C_GRID),
    ]
    if inputs.embeddings:
        designs += [
            ("e5 embedding, balanced", _embedding(inputs), (2.0, 8.0, 32.0)),
            *((f"n-grams + e5 x{w:g}, balanced", _linear(inputs, "balanced", w), C_GRID)
              for w in EMBEDDING_WEIGHTS),
        ]
    with Progress(console=console, transient=True) as progress:
        results = [evaluate(name, fit, settings, labels, test_labels, progress)
                   for name, fit, settings in designs]
    out = Table(title=f"complaint reasons: 5-fold CV on {len(train)}, held out {len(test)}")
    for column in ("design", "C chosen", "CV macro-F1", "held-out macro-F1", "accuracy"):
        out.add_column(column, justify="left" if column == "design" else "right")
    for r in results:
        out.add_row(r.design, r.setting, f"{r.cv_macro_f1:.3f}", f"{r.held_out_macro_f1:.3f}",
                    f"{r.held_out_accuracy:.3f}")
    console.print(out)


if __name__ == "__main__":
    main()
