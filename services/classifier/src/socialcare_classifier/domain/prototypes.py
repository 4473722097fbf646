"""Few-shot intents: each intent's prototype is the mean embedding of a handful of examples.

Pure (numpy only): embeddings in, intents out. Embeddings are first centred on the mean of
all examples: e5's vectors share one large common direction (every pair of tweets is 0.75-0.9
similar), and removing it leaves what tells the intents apart (on the dev half of the
labelled TWCS tweets, macro-F1 0.374 without centring, 0.416 with). A message gets every
intent whose prototype is at least ``threshold`` similar and within ``margin`` of the best
one, unless the best is the no-intent prototype. Brand categories can use the same machinery
with a brand's examples.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

NO_INTENT = ""


@dataclass(frozen=True)
class Prototypes:
    """One unit vector per label (``NO_INTENT`` for "asks or reports nothing")."""

    labels: tuple[str, ...]
    center: np.ndarray  # (dim,) the mean of every example
    vectors: np.ndarray  # (labels, dim), rows L2-normalised, in centred space
    threshold: float
    margin: float

    @classmethod
    def from_examples(cls, examples: Mapping[str, np.ndarray], threshold: float,
                      margin: float) -> "Prototypes":
        """Prototypes from each label's example embeddings (rows)."""
        labels = tuple(examples)
        center = np.concatenate([np.asarray(examples[label]) for label in labels]).mean(axis=0)
        means = np.stack([_unit(np.asarray(examples[label]) - center).mean(axis=0)
                          for label in labels])
        return cls(labels, center, _unit(means), threshold, margin)

    def similarities(self, embeddings: np.ndarray) -> np.ndarray:
        """Cosine similarity of each (centred) embedding to each prototype."""
        return _unit(np.asarray(embeddings) - self.center) @ self.vectors.T

    def decide(self, embeddings: np.ndarray) -> list[tuple[str, ...]]:
        """The labels of each embedding, most similar first; () when none is close enough."""
        out = []
        for row in self.similarities(embeddings):
            best = float(row.max())
            if self.labels[int(row.argmax())] == NO_INTENT:
                out.append(())
                continue
            order = np.argsort(-row)
            out.append(tuple(self.labels[j] for j in order
                             if self.labels[j] != NO_INTENT and row[j] >= self.threshold
                             and row[j] >= best - self.margin))
        return out


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)
