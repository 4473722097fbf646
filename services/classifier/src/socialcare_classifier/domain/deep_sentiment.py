"""The deep stage's sentiment head: logistic regression on frozen e5 embeddings, optionally
with the lexicon's score and the fast stage's class probabilities beside them (pure numpy).

Trained by ``python -m socialcare_classifier train-deep-sentiment`` (``deep_training``);
served from the JSON artifact's weights, activated through the deep models topic. The
lexicon's score adds what the embedding of a short complaint blurs (5-fold CV on the
airline training part: 0.770 without, 0.779 with); the fast model's n-grams add the words
the embedding averages away. The fast model the head was fitted to is inside the head's
artifact: a worker cannot pair the head with another fast model than the one its weights
expect, whatever the rules topic activates meanwhile.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from socialcare_classifier.domain.sentiment import lexicon_sentiment, score_text
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_contracts.events import Sentiment, SentimentLabel

KIND = "deep-sentiment-lr"
EMBEDDING, LEXICON, FAST = "embedding", "lexicon", "fast"
FEATURES = (EMBEDDING, LEXICON, FAST)


def fast_columns(model: SentimentModel, texts: list[str]) -> np.ndarray:
    """The fast model's probability of each label (negative, neutral, positive) per text; a
    label the model does not know has 0."""
    out = np.zeros((len(texts), len(SentimentLabel)), dtype=np.float32)
    for i, text in enumerate(texts):
        p = model.probabilities(text, score_text(text))
        out[i] = [p.get(label.value, 0.0) for label in SentimentLabel]
    return out


def head_inputs(embeddings: np.ndarray, texts: list[str], features: tuple[str, ...],
                fast: np.ndarray | None = None) -> np.ndarray:
    """The head's input rows: each embedding, then the lexicon's -1..1 score and the fast
    model's probabilities (``fast_columns``) if asked for."""
    columns = [np.asarray(embeddings, dtype=np.float32)]
    if LEXICON in features:
        columns.append(np.array([[lexicon_sentiment(score_text(t)).score] for t in texts],
                                dtype=np.float32).reshape(len(texts), 1))
    if FAST in features:
        if fast is None:
            raise ValueError("the fast model's probabilities are missing")
        columns.append(np.asarray(fast, dtype=np.float32))
    return np.hstack(columns)


@dataclass(frozen=True)
class DeepSentimentHead:
    """Multinomial LR over an embedding: one row of weights per class."""

    version: str
    classes: tuple[SentimentLabel, ...]
    coef: np.ndarray  # (classes, dim)
    intercept: np.ndarray  # (classes,)
    features: tuple[str, ...] = (EMBEDDING,)
    metadata: dict[str, Any] = field(default_factory=dict)  # provenance, licence, scores
    fast: SentimentModel | None = None  # with the ``fast`` feature: the model it was fitted to

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DeepSentimentHead":
        """The head an artifact describes; ValueError says what is wrong with it."""
        if data.get("kind") != KIND:
            raise ValueError(f"not a {KIND} artifact")
        try:
            classes = tuple(SentimentLabel(c) for c in data["classes"])
            coef = np.asarray(data["coef"], dtype=np.float32)
            intercept = np.asarray(data["intercept"], dtype=np.float32)
            version = str(data["version"])
            features = tuple(str(f) for f in data.get("features", (EMBEDDING,)))
            fast = (SentimentModel.from_dict(data["fast_model"]) if FAST in features
                    else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"unusable deep sentiment head: {exc}") from None
        if coef.ndim != 2 or coef.shape[0] != len(classes) or intercept.shape != (len(classes),):
            raise ValueError("deep sentiment head: weights do not match its classes")
        if EMBEDDING not in features or set(features) - set(FEATURES):
            raise ValueError(f"deep sentiment head: features {features} are not "
                             f"{EMBEDDING} and optionally {LEXICON}, {FAST}")
        return cls(version, classes, coef, intercept, features,
                   dict(data.get("metadata") or {}), fast)

    def to_dict(self) -> dict[str, Any]:
        fast = {"fast_model": self.fast.to_dict()} if self.fast is not None else {}
        return {"kind": KIND, "version": self.version, "classes": [c.value for c in self.classes],
                "coef": self.coef.round(6).tolist(), "intercept": self.intercept.round(6).tolist(),
                "features": list(self.features), "metadata": self.metadata, **fast}

    def input_size(self, embedding_dim: int) -> int:
        """The width of an input row for embeddings of ``embedding_dim``."""
        return (embedding_dim + (LEXICON in self.features)
                + len(SentimentLabel) * (FAST in self.features))

    def inputs(self, embeddings: np.ndarray, texts: list[str]) -> np.ndarray:
        """The input rows of these texts, the embedded fast model's probabilities included."""
        fast = fast_columns(self.fast, texts) if self.fast is not None else None
        return head_inputs(embeddings, texts, self.features, fast)

    def predict(self, embeddings: np.ndarray, texts: list[str]) -> list[Sentiment]:
        """A label and a -1..1 score (P(positive) - P(negative)) per text and its embedding."""
        logits = self.inputs(embeddings, texts) @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        index = {c: j for j, c in enumerate(self.classes)}
        out = []
        for row in probs:
            score = float(row[index[SentimentLabel.POSITIVE]] - row[index[SentimentLabel.NEGATIVE]]
                          ) if len(index) == 3 else 0.0
            out.append(Sentiment(label=self.classes[int(row.argmax())],
                                 score=max(-1.0, min(1.0, round(score, 4)))))
        return out
