"""Training the fast sentiment stage (needs the ``train`` extra: scikit-learn).

Only the admin command and the benchmark import this module; workers load the weights it
produces through ``domain.sentiment_model`` without scikit-learn.
"""

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from socialcare_classifier.domain.metrics import score
from socialcare_classifier.domain.sentiment import score_text
from socialcare_classifier.domain.sentiment_features import TextFeatures, extract
from socialcare_classifier.domain.sentiment_model import (
    BLOCKS,
    BlockWeights,
    SentimentModel,
    unit_tfidf,
)

# Chosen by 5-fold CV on the training part of airline-dev.csv only (README, Trained fast stage).
DEFAULT_C_GRID = (2.0, 5.0, 10.0)
MIN_DF = 2
# About 18 bytes a bucket in the artifact: two full blocks stay near 750 kB, inside the
# 1 MB a Kafka record may carry by default (the airline set needs 8,900 and 17,300).
MAX_BUCKETS_PER_BLOCK = 20_000
# Per n-gram block: bucket -> (IDF, column of the training matrix).
Vocabularies = dict[str, dict[int, tuple[float, int]]]


@dataclass(frozen=True)
class Fitted:
    """A trained model and the cross-validated macro-F1 of each C tried."""

    model: SentimentModel
    c: float
    cv_macro_f1: dict[float, float]


def featurize(texts: Sequence[str]) -> list[TextFeatures]:
    """Every text's features, lexicon included (computed once for all folds)."""
    return [extract(t, score_text(t)) for t in texts]


def _vocabulary(docs: Sequence[frozenset[int]]) -> dict[int, tuple[float, int]]:
    # scikit-learn's smoothed IDF and a column per bucket; buckets in fewer than MIN_DF
    # texts, and past the most common MAX_BUCKETS_PER_BLOCK, are dropped, which keeps the
    # artifact small enough for one rules-topic record.
    df = Counter(b for doc in docs for b in doc)
    n = len(docs)
    common = sorted((b for b, k in df.items() if k >= MIN_DF), key=lambda b: (-df[b], b))
    kept = sorted(common[:MAX_BUCKETS_PER_BLOCK])
    return {b: (math.log((1 + n) / (1 + df[b])) + 1.0, col) for col, b in enumerate(kept)}


def matrix(features: Sequence[TextFeatures], vocabularies: Vocabularies) -> sparse.csr_matrix:
    """Rows exactly as the served model weighs them (``unit_tfidf``), dense cues last."""
    data: list[float] = []
    cols: list[int] = []
    indptr = [0]
    idfs = {name: {b: idf for b, (idf, _) in vocabularies[name].items()} for name in BLOCKS}
    widths = [len(vocabularies[name]) for name in BLOCKS]
    for f in features:
        offset = 0
        for name, width in zip(BLOCKS, widths, strict=True):
            for bucket, value in unit_tfidf(getattr(f, name), idfs[name]):
                data.append(value)
                cols.append(offset + vocabularies[name][bucket][1])
            offset += width
        for j, value in enumerate(f.dense):
            if value:
                data.append(value)
                cols.append(offset + j)
        indptr.append(len(data))
    width = sum(widths) + len(features[0].dense)
    return sparse.csr_matrix((data, cols, indptr), shape=(len(features), width))


def vocabularies_of(features: Sequence[TextFeatures]) -> Vocabularies:
    """Each block's vocabulary (bucket -> IDF, column) of these texts."""
    return {name: _vocabulary([getattr(f, name) for f in features]) for name in BLOCKS}


def fit_estimator(features: Sequence[TextFeatures], labels: Sequence[str], c: float,
                  class_weight: str | None = None
                  ) -> tuple[LogisticRegression, Vocabularies]:
    """The scikit-learn model and each block's vocabulary (bucket -> IDF, column)."""
    vocabularies = vocabularies_of(features)
    # Sentiment keeps unweighted classes: 'balanced' scored 0.755 against 0.763 in the same
    # CV. Many unequal categories (complaint reasons) need the weights for macro-F1.
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
    classifier.fit(matrix(features, vocabularies), list(labels))
    return classifier, vocabularies


def _fit(features: Sequence[TextFeatures], labels: Sequence[str], c: float,
         metadata: dict[str, Any]) -> SentimentModel:
    classifier, vocabularies = fit_estimator(features, labels, c)
    coef = classifier.coef_
    intercept = classifier.intercept_
    if coef.shape[0] == 1:
        # Two labels: one weight vector for the second; a softmax over (-w/2, w/2) is the
        # same sigmoid, so serving needs no special case.
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    blocks = {}
    offset = 0
    for name in BLOCKS:
        vocabulary = vocabularies[name]
        blocks[name] = BlockWeights({b: (idf, *map(float, coef[:, offset + col]))
                                     for b, (idf, col) in vocabulary.items()})
        offset += len(vocabulary)
    return SentimentModel(labels=tuple(map(str, classifier.classes_)), blocks=blocks,
                          dense=tuple(tuple(map(float, coef[:, offset + j]))
                                      for j in range(coef.shape[1] - offset)),
                          intercept=tuple(map(float, intercept)), metadata=metadata)


def folds(labels: Sequence[str], k: int, seed: int) -> list[int]:
    """A stratified fold number for each row."""
    order = list(range(len(labels)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda i: labels[i])
    fold_of = [0] * len(labels)
    for position, i in enumerate(order):
        fold_of[i] = position % k
    return fold_of


def cross_validate(features: Sequence[TextFeatures], labels: Sequence[str], c: float,
                   k: int = 5, seed: int = 7) -> float:
    """Mean macro-F1 over ``k`` stratified folds (IDF and weights refitted per fold)."""
    fold_of = folds(labels, k, seed)
    results = []
    for fold in range(k):
        train = [i for i in range(len(labels)) if fold_of[i] != fold]
        test = [i for i in range(len(labels)) if fold_of[i] == fold]
        model = _fit([features[i] for i in train], [labels[i] for i in train], c, {})
        predicted = [model.labels[max(range(len(model.labels)),
                                      key=model.scores(features[i]).__getitem__)]
                     for i in test]
        results.append(score([labels[i] for i in test], predicted).macro_f1)
    return sum(results) / len(results)


def out_of_fold_probabilities(texts: Sequence[str], labels: Sequence[str], c: float,
                              k: int = 5, seed: int = 7) -> list[dict[str, float]]:
    """Each row's label probabilities from a model fitted with ``c`` on the other folds: what
    a model stacked on the fast stage sees of unseen text, not of text it memorised."""
    features = featurize(texts)
    fold_of = folds(labels, k, seed)
    out: list[dict[str, float]] = [{} for _ in texts]
    for fold in range(k):
        train = [i for i in range(len(labels)) if fold_of[i] != fold]
        model = _fit([features[i] for i in train], [labels[i] for i in train], c, {})
        for i in (i for i in range(len(labels)) if fold_of[i] == fold):
            sums = model.scores(features[i])
            top = max(sums)
            exp = [math.exp(v - top) for v in sums]
            out[i] = {label: e / sum(exp) for label, e in zip(model.labels, exp, strict=True)}
    return out


def train_sentiment(texts: Sequence[str], labels: Sequence[str], metadata: dict[str, Any],
                    c_grid: Sequence[float] = DEFAULT_C_GRID, k: int = 5) -> Fitted:
    """Chooses C by cross-validation on these rows only, then fits on all of them."""
    if len(texts) != len(labels) or len(set(labels)) < 2:
        raise ValueError("need as many labels as texts and at least two labels")
    if min(Counter(labels).values()) < k:
        raise ValueError(f"need at least {k} examples of each label")
    features = featurize(texts)
    cv = {c: cross_validate(features, labels, c, k) for c in c_grid} if len(c_grid) > 1 else {}
    best = max(cv, key=cv.__getitem__) if cv else c_grid[0]
    metadata = {**metadata, "c": best,
                "cv_macro_f1": {str(c): round(f1, 4) for c, f1 in cv.items()}}
    return Fitted(_fit(features, labels, best, metadata), best, cv)
