"""The deep stage's sentiment head: logistic regression on frozen e5 embeddings (pure numpy).

Trained by ``python -m socialcare_classifier train-deep-sentiment`` (``deep_training``);
served from the JSON artifact's weights, activated through the rules topic like the fast
stage's model.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from socialcare_contracts.events import Sentiment, SentimentLabel

KIND = "deep-sentiment-lr"


@dataclass(frozen=True)
class DeepSentimentHead:
    """Multinomial LR over an embedding: one row of weights per class."""

    version: str
    classes: tuple[SentimentLabel, ...]
    coef: np.ndarray  # (classes, dim)
    intercept: np.ndarray  # (classes,)
    metadata: dict[str, Any] = field(default_factory=dict)  # provenance, licence, scores

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
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"unusable deep sentiment head: {exc}") from None
        if coef.ndim != 2 or coef.shape[0] != len(classes) or intercept.shape != (len(classes),):
            raise ValueError("deep sentiment head: weights do not match its classes")
        return cls(version, classes, coef, intercept, dict(data.get("metadata") or {}))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": KIND, "version": self.version, "classes": [c.value for c in self.classes],
                "coef": self.coef.round(6).tolist(), "intercept": self.intercept.round(6).tolist(),
                "metadata": self.metadata}

    def predict(self, embeddings: np.ndarray) -> list[Sentiment]:
        """A label and a -1..1 score (P(positive) - P(negative)) per embedding row."""
        logits = np.asarray(embeddings, dtype=np.float32) @ self.coef.T + self.intercept
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
