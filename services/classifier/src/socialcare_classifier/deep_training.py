"""Fitting the deep stage's sentiment head: logistic regression on frozen e5 embeddings, C
chosen by stratified cross-validation on the training rows alone (scikit-learn: the ``train``
extra)."""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from socialcare_classifier.domain.deep_sentiment import FEATURES, DeepSentimentHead, head_inputs
from socialcare_classifier.domain.metrics import score
from socialcare_classifier.sentiment_training import folds
from socialcare_contracts.events import SentimentLabel

# On the airline training part C = 8 was best of 0.5, 2, 8, 32 and 128 (CV 0.770; 32: 0.763).
DEFAULT_C_GRID = (2.0, 8.0, 32.0)


def _fit(x: np.ndarray, labels: Sequence[str], c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000).fit(x, list(labels))


def cross_validate(x: np.ndarray, labels: Sequence[str], c: float, k: int = 5,
                   seed: int = 7) -> float:
    """Mean macro-F1 over ``k`` stratified folds of these rows."""
    fold_of = np.asarray(folds(labels, k, seed))
    gold = np.asarray(labels)
    results = []
    for fold in range(k):
        model = _fit(x[fold_of != fold], gold[fold_of != fold], c)
        results.append(score(list(gold[fold_of == fold]),
                             list(model.predict(x[fold_of == fold]))).macro_f1)
    return float(np.mean(results))


def train_head(embeddings: np.ndarray, texts: list[str], labels: Sequence[str],
               metadata: dict[str, Any], c_grid: Sequence[float] = DEFAULT_C_GRID,
               features: tuple[str, ...] = FEATURES) -> tuple[DeepSentimentHead, float]:
    """The head fitted on all these rows with the C cross-validation chose; and that C."""
    x = head_inputs(embeddings, texts, features)
    if set(labels) != set(SentimentLabel):
        raise ValueError("the head needs rows of every label: negative, neutral, positive")
    cv = {c: cross_validate(x, labels, c) for c in c_grid} if len(c_grid) > 1 else {}
    best = max(cv, key=cv.__getitem__) if cv else c_grid[0]
    model = _fit(x, labels, best)
    order = [list(model.classes_).index(label.value) for label in SentimentLabel]
    coef = model.coef_[order].astype(np.float32)
    intercept = model.intercept_[order].astype(np.float32)
    digest = hashlib.sha256(coef.round(6).tobytes() + intercept.round(6).tobytes()).hexdigest()
    version = f"deep-sentiment-{datetime.now(UTC):%Y%m%d}-{digest[:12]}"
    head = DeepSentimentHead(version, tuple(SentimentLabel), coef, intercept, features, {
        **metadata, "c": best, "cv_macro_f1": {str(c): round(f1, 4) for c, f1 in cv.items()}})
    return head, best
