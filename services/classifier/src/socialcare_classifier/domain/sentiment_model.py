"""The trained fast sentiment stage: a linear model served in pure Python.

Each n-gram block is weighted as binary TF-IDF (the bucket's IDF where the text has it,
scaled to unit length per block), the dense cues are appended as they are, and a softmax over the
per-class sums gives the probabilities. Workers load the weights from a JSON document
(packed arrays), so serving needs neither scikit-learn nor numpy.
"""

import base64
import hashlib
import json
import math
import struct
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from socialcare_classifier.domain.sentiment_features import (
    BUCKETS,
    CHAR_NGRAMS,
    DENSE_FEATURES,
    WORD_NGRAMS,
    TextFeatures,
    extract,
)
from socialcare_contracts.events import Sentiment, SentimentLabel

KIND = "sentiment_linear"
FORMAT = 1
BLOCKS = ("words", "chars")


def pack(values: Sequence[float] | Sequence[int], code: str) -> str:
    """An array of numbers as compressed base64 text (``code``: array type, 'f' or 'i')."""
    return base64.b64encode(zlib.compress(array(code, values).tobytes(), 9)).decode("ascii")


def unpack(text: str, code: str) -> array:
    """Inverse of ``pack``; raises ValueError on anything that is not such an array."""
    try:
        raw = zlib.decompress(base64.b64decode(text, validate=True))
    except (ValueError, zlib.error) as exc:
        raise ValueError(f"invalid packed array: {exc}") from None
    out = array(code)
    if len(raw) % out.itemsize:
        raise ValueError("invalid packed array: truncated")
    out.frombytes(raw)
    return out


def unit_tfidf(buckets: Iterable[int], idf: Mapping[int, float]) -> list[tuple[int, float]]:
    """(bucket, value) of each known bucket: binary TF-IDF scaled to unit length (tweets are
    short, so presence says as much as counts); unknown buckets are left out, as a
    vectorizer's vocabulary does."""
    found = [(b, idf[b]) for b in buckets if b in idf]
    if not found:
        return found
    scale = 1.0 / math.sqrt(sum(v * v for _, v in found))
    return [(b, v * scale) for b, v in found]


@dataclass(frozen=True)
class BlockWeights:
    """One n-gram block: bucket -> (IDF, weight of each class)."""

    rows: dict[int, tuple[float, ...]]
    _serving: dict[int, tuple[float, ...]] = field(init=False, repr=False, compare=False)
    _known: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Serving rows carry IDF squared (for the norm) and IDF times each weight, so a
        # text costs one C-level sum per column: the dot product of ``unit_tfidf`` with
        # the weights, without a Python loop per n-gram.
        object.__setattr__(self, "_serving", {b: (row[0] ** 2, *(row[0] * w for w in row[1:]))
                                              for b, row in self.rows.items()})
        object.__setattr__(self, "_known", frozenset(self.rows))

    def add(self, buckets: frozenset[int], sums: list[float]) -> None:
        """Adds the block's TF-IDF vector (``unit_tfidf``) times the weights into ``sums``."""
        found = list(map(self._serving.__getitem__, buckets & self._known))
        if not found:
            return
        columns = zip(*found, strict=True)
        scale = 1.0 / math.sqrt(sum(next(columns)))
        for k, column in enumerate(columns):
            sums[k] += scale * sum(column)

    def to_dict(self) -> dict[str, str]:
        """Buckets and their rows as packed arrays."""
        buckets = sorted(self.rows)
        return {"buckets": pack(buckets, "i"),
                "rows": pack([v for b in buckets for v in self.rows[b]], "f")}

    @classmethod
    def from_dict(cls, data: dict[str, Any], classes: int) -> "BlockWeights":
        """Inverse of ``to_dict``; raises ValueError on a malformed block."""
        buckets = unpack(data["buckets"], "i")
        values = unpack(data["rows"], "f")
        width = classes + 1
        if len(values) != len(buckets) * width:
            raise ValueError("invalid model: rows do not match buckets")
        if any(not 0 <= b < BUCKETS for b in buckets):
            raise ValueError("invalid model: bucket out of range")
        if not all(math.isfinite(v) for v in values):
            raise ValueError("invalid model: weights must be finite")
        return cls({b: tuple(values[i * width:(i + 1) * width]) for i, b in enumerate(buckets)})


@dataclass(frozen=True)
class SentimentModel:
    """Labels, per-block weights, dense-cue weights and intercepts, with their metadata."""

    labels: tuple[str, ...]
    blocks: dict[str, BlockWeights]
    dense: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    version: str = field(init=False, default="")

    def __post_init__(self) -> None:
        if set(self.labels) - set(SentimentLabel):
            raise ValueError(f"invalid model: labels must be among "
                             f"{', '.join(SentimentLabel)}, not {', '.join(self.labels)}")
        if len(self.labels) < 2 or len(self.intercept) != len(self.labels):
            raise ValueError("invalid model: needs two or more labels, one intercept each")
        if len(self.dense) != len(DENSE_FEATURES) or any(
                len(row) != len(self.labels) for row in self.dense):
            raise ValueError("invalid model: dense weights do not match the cues")
        digest = hashlib.sha256(json.dumps(self._weights(), sort_keys=True).encode())
        trained = str(self.metadata.get("trained_at", ""))[:10].replace("-", "")
        # A brand's own model says so in its version, and so in every decided_by it sets.
        brand = f"{self.metadata['brand']}-" if self.metadata.get("brand") else ""
        object.__setattr__(self, "version", f"sentiment-{brand}{trained or 'untimed'}-"
                                            f"{digest.hexdigest()[:10]}")

    def scores(self, features: TextFeatures) -> list[float]:
        """Per-class linear sums of one text's features."""
        sums = list(self.intercept)
        self.blocks["words"].add(features.words, sums)
        self.blocks["chars"].add(features.chars, sums)
        for value, row in zip(features.dense, self.dense, strict=True):
            if value:
                for k in range(len(sums)):
                    sums[k] += value * row[k]
        return sums

    def probabilities(self, text: str, lexicon_total: float) -> dict[str, float]:
        """Probability of each label for a text."""
        sums = self.scores(extract(text, lexicon_total))
        top = max(sums)
        exp = [math.exp(s - top) for s in sums]
        norm = sum(exp)
        return {label: e / norm for label, e in zip(self.labels, exp, strict=True)}

    def predict(self, text: str, lexicon_total: float) -> Sentiment:
        """Label and score (-1..1: positive minus negative probability) of a text."""
        p = self.probabilities(text, lexicon_total)
        label = max(self.labels, key=p.__getitem__)
        score = p.get(SentimentLabel.POSITIVE, 0.0) - p.get(SentimentLabel.NEGATIVE, 0.0)
        return Sentiment(label=SentimentLabel(label), score=round(max(-1.0, min(1.0, score)), 4))

    def predict_batch(self, texts: Sequence[str], lexicon_totals: Sequence[float]
                      ) -> list[Sentiment]:
        """``predict`` for many texts at once."""
        return [self.predict(t, s) for t, s in zip(texts, lexicon_totals, strict=True)]

    def _weights(self) -> dict[str, Any]:
        return {"kind": KIND, "format": FORMAT, "labels": list(self.labels),
                "buckets": BUCKETS, "word_ngrams": list(WORD_NGRAMS),
                "char_ngrams": list(CHAR_NGRAMS), "dense_features": list(DENSE_FEATURES),
                "blocks": {name: self.blocks[name].to_dict() for name in BLOCKS},
                "dense": [list(row) for row in self.dense], "intercept": list(self.intercept)}

    def to_dict(self) -> dict[str, Any]:
        """The artifact: weights and metadata, JSON-ready."""
        return {**self._weights(), "version": self.version, "metadata": self.metadata}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SentimentModel":
        """Inverse of ``to_dict``; raises ValueError saying what is wrong with a document,
        including one written for other features than this code extracts."""
        try:
            if (data["kind"], data["format"]) != (KIND, FORMAT):
                raise ValueError(f"not a {KIND} model of format {FORMAT}")
            expected = (BUCKETS, list(WORD_NGRAMS), list(CHAR_NGRAMS), list(DENSE_FEATURES))
            if (data["buckets"], data["word_ngrams"], data["char_ngrams"],
                    data["dense_features"]) != expected:
                raise ValueError("features differ from this classifier's (retrain the model)")
            labels = tuple(data["labels"])
            model = cls(labels=labels,
                        blocks={name: BlockWeights.from_dict(data["blocks"][name], len(labels))
                                for name in BLOCKS},
                        dense=tuple(tuple(map(float, row)) for row in data["dense"]),
                        intercept=tuple(map(float, data["intercept"])),
                        metadata=dict(data.get("metadata") or {}))
        except (KeyError, TypeError, struct.error) as exc:
            raise ValueError(f"invalid model: missing or malformed {exc}") from None
        if data.get("version") not in (None, model.version):
            raise ValueError("invalid model: its weights do not match its version")
        return model


def decided_by_brand_model(stage: str | None, brand_account: str) -> bool:
    """Whether a classification's sentiment ``stage`` (its ``decided_by``) is the fast stage
    with ``brand_account``'s own model, whose version names the brand (``SentimentModel``)."""
    return bool(stage) and stage.lower().startswith(f"fast:sentiment-{brand_account.lower()}-")
