"""Brand taxonomies: categories a brand defines by keyword phrases and by labelled examples.

The learned part is a multinomial naive Bayes over word, word-pair and character n-grams,
in pure Python so it ships without native wheels and serialises to a small JSON document
(small enough to travel on the rules topic to every worker).
"""

import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from socialcare_classifier.domain.fuzzy import within_one_edit
from socialcare_classifier.domain.taxonomy_document import NaiveBayesDocument, TaxonomyDocument
from socialcare_classifier.domain.text import prepare

MIN_FUZZY_LEN = 5
CHAR_NGRAMS = (3, 4)


def features(text: str) -> set[str]:
    """Binary features of a text: words, word pairs and in-word character n-grams."""
    words = [w for w in prepare(text).words if len(w) > 1]
    found = {f"w:{w}" for w in words}
    found.update(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    for w in words:
        padded = f"<{w}>"
        for n in CHAR_NGRAMS:
            found.update(f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1))
    return found


@dataclass(frozen=True)
class NaiveBayesModel:
    """Per-class document counts and feature counts; predicts the most probable class."""

    class_docs: dict[str, int]
    feature_counts: dict[str, dict[str, int]]
    alpha: float = 0.3
    _logs: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        vocabulary = {f for counts in self.feature_counts.values() for f in counts}
        size = len(vocabulary) or 1
        docs = sum(self.class_docs.values())
        for label, n in self.class_docs.items():
            counts = self.feature_counts.get(label, {})
            total = sum(counts.values()) + self.alpha * size
            # Priors are flattened (square root) so rare categories are not always outvoted.
            self._logs[label] = (
                0.5 * math.log(n / docs),
                math.log(self.alpha / total),
                {f: math.log((c + self.alpha) / total) for f, c in counts.items()},
            )
        self._logs["__vocabulary__"] = vocabulary

    def probabilities(self, text: str) -> dict[str, float]:
        """Posterior probability of each class for a text."""
        present = features(text) & self._logs["__vocabulary__"]
        scores = {}
        for label in self.class_docs:
            prior, unseen, logs = self._logs[label]
            scores[label] = prior + sum(logs.get(f, unseen) for f in present)
        top = max(scores.values())
        exp = {label: math.exp(s - top) for label, s in scores.items()}
        norm = sum(exp.values())
        return {label: v / norm for label, v in exp.items()}

    def predict(self, text: str) -> str:
        """The most probable class."""
        probabilities = self.probabilities(text)
        return max(sorted(probabilities), key=probabilities.__getitem__)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": "naive_bayes", "alpha": self.alpha, "class_docs": self.class_docs,
                "feature_counts": self.feature_counts}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NaiveBayesModel":
        """Inverse of ``to_dict``; raises ValueError saying what is wrong with a document."""
        try:
            model = NaiveBayesDocument.model_validate(data)
        except ValidationError as exc:
            raise ValueError(f"invalid model: {exc.errors(include_url=False)[0]['msg']}") \
                from None
        return cls(class_docs=dict(model.class_docs),
                   feature_counts={k: dict(v) for k, v in model.feature_counts.items()},
                   alpha=model.alpha)


def train_model(texts: Sequence[str], labels: Sequence[str], max_features: int = 6000,
                min_df: int = 2) -> NaiveBayesModel:
    """Trains on labelled texts, keeping the ``max_features`` most common features."""
    if len(texts) != len(labels) or not texts:
        raise ValueError("need as many labels as texts, and at least one")
    if len(set(labels)) < 2:
        raise ValueError("need at least two categories")
    docs = [features(t) for t in texts]
    df = Counter(f for d in docs for f in d)
    ranked = sorted((f for f, n in df.items() if n >= min_df), key=lambda f: (-df[f], f))
    kept = set(ranked[:max_features])
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for doc, label in zip(docs, labels, strict=True):
        counts[label].update(doc & kept)
    return NaiveBayesModel(class_docs=dict(Counter(labels)),
                           feature_counts={k: dict(v) for k, v in counts.items()})


def split_holdout(rows: Sequence[tuple[str, str]], share: float,
                  seed: int = 7) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Stratified, seeded split: ``share`` of each label held out (at least one when possible)."""
    if not 0 < share < 1:
        raise ValueError("holdout share must be between 0 and 1")
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    rng = random.Random(seed)
    train: list[tuple[str, str]] = []
    test: list[tuple[str, str]] = []
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        n = round(len(group) * share) if len(group) > 1 else 0
        n = max(n, 1) if len(group) > 1 else 0
        test.extend(group[:n])
        train.extend(group[n:])
    return train, test


def _phrase_matches(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    for start in range(len(words) - n + 1):
        if all(w == p or (len(p) >= MIN_FUZZY_LEN and within_one_edit(w, p))
               for w, p in zip(words[start:start + n], phrase, strict=True)):
            return True
    return False


@dataclass(frozen=True)
class BrandTaxonomy:
    """A brand's categories: keyword phrases first, then the learned model when it is sure."""

    brand: str
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()
    model: NaiveBayesModel | None = None
    min_confidence: float = 0.5
    version: str = field(init=False, default="")
    _phrases: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = field(
        init=False, default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        document = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        object.__setattr__(self, "version",
                           f"{self.brand}@{hashlib.sha256(document.encode()).hexdigest()[:10]}")
        object.__setattr__(self, "_phrases", tuple(
            (category, tuple(tuple(prepare(p).words) for p in phrases if prepare(p).words))
            for category, phrases in self.keywords))

    def categorize(self, text: str) -> tuple[str, ...]:
        """Categories of a message: every keyword hit, else the model's confident guess."""
        words = [w.lower() for w in prepare(text).words]
        hits = tuple(c for c, phrases in self._phrases
                     if any(_phrase_matches(words, p) for p in phrases))
        if hits or self.model is None:
            return hits
        probabilities = self.model.probabilities(text)
        label = max(sorted(probabilities), key=probabilities.__getitem__)
        return (label,) if probabilities[label] >= self.min_confidence else ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as published on the rules topic."""
        return {"brand": self.brand, "keywords": {c: list(p) for c, p in self.keywords},
                "model": self.model.to_dict() if self.model else None,
                "min_confidence": self.min_confidence}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BrandTaxonomy":
        """Inverse of ``to_dict``; raises ValueError saying what is wrong with a document
        (the bounds of ``TaxonomyDocument``, so a taxonomy loaded here cannot fail later)."""
        try:
            document = TaxonomyDocument.model_validate(data)
        except ValidationError as exc:
            raise ValueError("invalid taxonomy: " + "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'taxonomy'}: {e['msg']}"
                for e in exc.errors(include_url=False)[:5])) from None
        if document.brand is None:
            raise ValueError("invalid taxonomy: brand is missing")
        return cls.from_document(document.brand, document)

    @classmethod
    def from_document(cls, brand: str, document: TaxonomyDocument) -> "BrandTaxonomy":
        """The taxonomy of ``brand`` that a validated document describes."""
        model = document.model
        return cls(brand=brand, keywords=tuple((c, tuple(p)) for c, p in document.keywords.items()),
                   model=NaiveBayesModel(class_docs=dict(model.class_docs),
                                         feature_counts={k: dict(v) for k, v in
                                                         model.feature_counts.items()},
                                         alpha=model.alpha) if model else None,
                   min_confidence=document.min_confidence)
