"""Fitting the deep stage's sentiment head: logistic regression on frozen e5 embeddings, C
chosen by stratified cross-validation on the training rows alone (scikit-learn: the ``train``
extra)."""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from socialcare_classifier.domain.deep_sentiment import (
    EMBEDDING,
    FAST,
    LEXICON,
    DeepSentimentHead,
    fast_columns,
    head_inputs,
)
from socialcare_classifier.domain.metrics import score
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.sentiment_training import (
    folds,
    out_of_fold_probabilities,
    train_sentiment,
)
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


def fast_inputs(texts: list[str], labels: Sequence[str],
                given: SentimentModel | None = None) -> tuple[SentimentModel, np.ndarray]:
    """The fast model the head will serve with, and its probabilities of these rows to fit
    the head on. Without ``given``, one is trained on these rows (C by CV, as
    ``train-sentiment`` does) and the probabilities are out of fold: a model's scores of its
    own training rows are surer than of new text, and a head fitted to them trusts them too
    much. A ``given`` model's scores are used as they are, so it should not have seen
    these rows."""
    if given is not None:
        return given, fast_columns(given, texts)
    fitted = train_sentiment(texts, labels, {"trained_for": "deep sentiment head"})
    oof = out_of_fold_probabilities(texts, labels, fitted.c)
    return fitted.model, np.array([[p.get(label.value, 0.0) for label in SentimentLabel]
                                   for p in oof], dtype=np.float32)


def feature_sets(lexicon: bool, fast: bool) -> list[tuple[str, ...]]:
    """The inputs cross-validation chooses among: the embedding with the fast model's
    probabilities, with or without the lexicon's score (5-fold CV on the airline training
    part: 0.791 without, 0.789 with); without the fast model, the lexicon's score if allowed."""
    if fast:
        return [(EMBEDDING, FAST), *([(EMBEDDING, LEXICON, FAST)] if lexicon else [])]
    return [(EMBEDDING, LEXICON) if lexicon else (EMBEDDING,)]


def train_head(embeddings: np.ndarray, texts: list[str], labels: Sequence[str],
               metadata: dict[str, Any], c_grid: Sequence[float] = DEFAULT_C_GRID,
               candidates: Sequence[tuple[str, ...]] = ((EMBEDDING, LEXICON),),
               fast: tuple[SentimentModel, np.ndarray] | None = None
               ) -> tuple[DeepSentimentHead, float]:
    """The head fitted on all these rows with the inputs and C cross-validation chose; and
    that C. With the ``fast`` feature, ``fast`` is the model to serve with and its
    probabilities of these rows (``fast_inputs``)."""
    if fast is None and any(FAST in features for features in candidates):
        raise ValueError("the fast feature needs the fast model and its probabilities")
    if set(labels) != set(SentimentLabel):
        raise ValueError("the head needs rows of every label: negative, neutral, positive")
    inputs = {features: head_inputs(embeddings, texts, features, fast[1] if fast else None)
              for features in candidates}
    tried = [(features, c) for features in candidates for c in c_grid]
    cv = ({pair: cross_validate(inputs[pair[0]], labels, pair[1]) for pair in tried}
          if len(tried) > 1 else {})
    features, best = max(cv, key=cv.__getitem__) if cv else tried[0]
    model = _fit(inputs[features], labels, best)
    order = [list(model.classes_).index(label.value) for label in SentimentLabel]
    coef = model.coef_[order].astype(np.float32)
    intercept = model.intercept_[order].astype(np.float32)
    # The fast model is part of what the head computes: another one is another version.
    fast_version = fast[0].version.encode() if fast and FAST in features else b""
    digest = hashlib.sha256(coef.round(6).tobytes() + intercept.round(6).tobytes()
                            + fast_version).hexdigest()
    version = f"deep-sentiment-{datetime.now(UTC):%Y%m%d}-{digest[:12]}"
    served = fast[0] if fast and FAST in features else None
    extra = {"fast_model": served.version} if served else {}
    head = DeepSentimentHead(version, tuple(SentimentLabel), coef, intercept, features, {
        **metadata, **extra, "c": best,
        "cv_macro_f1": {f"{'+'.join(f)} C={c}": round(f1, 4) for (f, c), f1 in cv.items()}},
        served)
    return head, best
