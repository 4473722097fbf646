"""Deep workers take a head from the models topic only when they can use it."""

import numpy as np
import pytest

from socialcare_classifier.deep.embedder import EMBEDDING_DIM
from socialcare_classifier.deep.models_feed import SENTIMENT
from socialcare_classifier.deep_worker import DeepModels
from socialcare_classifier.domain.deep_sentiment import DeepSentimentHead
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts.events import DeepModelChanged, SentimentLabel

pytestmark = pytest.mark.unit


def change(dim: int, version: str = "h1") -> DeepModelChanged:
    head = DeepSentimentHead(version, tuple(SentimentLabel), np.zeros((3, dim), np.float32),
                             np.zeros(3, np.float32))
    return DeepModelChanged(kind=SENTIMENT, version=version, model=head.to_dict(),
                            changed_at="2026-12-03T12:00:00Z")


def test_a_usable_head_is_activated_and_a_wrong_one_leaves_it_active() -> None:
    models = DeepModels(ClassifierSettings())
    models.apply(change(EMBEDDING_DIM))
    assert models.head is not None and models.head.version == "h1"
    models.apply(change(EMBEDDING_DIM + 1, "h2"))
    assert models.head.version == "h1"
    models.apply(DeepModelChanged(kind=SENTIMENT, version="none", model=None,
                                  changed_at="2026-12-03T12:00:00Z"))
    assert models.head is None
