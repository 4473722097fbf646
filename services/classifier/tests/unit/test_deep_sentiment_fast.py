"""The deep head with the fast model's probabilities beside the embedding: fitted on
out-of-fold scores, served with the very fast model it was fitted to (inside its artifact)."""

import json

import numpy as np
import pytest

from socialcare_classifier.deep.embedder import EMBEDDING_DIM
from socialcare_classifier.deep.models_feed import SENTIMENT
from socialcare_classifier.deep_training import fast_inputs, feature_sets, train_head
from socialcare_classifier.deep_worker import DeepModels
from socialcare_classifier.domain.deep_sentiment import (
    EMBEDDING,
    FAST,
    LEXICON,
    DeepSentimentHead,
    fast_columns,
)
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts.events import DeepModelChanged

pytestmark = pytest.mark.unit

TRAIN = ("the zorbix", "my flarn", "our quibble", "this trebon", "the vask")
NEW = ("a plimmet", "his dorvel")


def noise(n: int, seed: int) -> np.ndarray:
    """Embeddings that say nothing: what the head learns must come from the fast model."""
    rows = np.random.default_rng(seed).normal(size=(n, EMBEDDING_DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def fitted(synthetic):
    texts, labels = synthetic(TRAIN)
    fast = fast_inputs(texts, labels)
    head, _ = train_head(noise(len(texts), 1), texts, labels, {}, (1.0,),
                         [(EMBEDDING, FAST)], fast)
    return head, fast


def test_the_head_is_fitted_on_out_of_fold_scores_not_on_what_the_model_memorised(
        fitted, synthetic) -> None:
    head, (model, oof) = fitted
    texts, _ = synthetic(TRAIN)
    assert oof.shape == (len(texts), 3)
    assert np.allclose(oof.sum(axis=1), 1.0, atol=1e-5)
    in_sample = fast_columns(model, texts)
    # A model is surer of the rows it was fitted on than of rows it never saw.
    assert in_sample.max(axis=1).mean() > oof.max(axis=1).mean()
    assert head.metadata["fast_model"] == model.version


def test_cross_validation_chooses_the_inputs_and_says_what_it_tried(fitted,
                                                                    synthetic) -> None:
    _, fast = fitted
    texts, labels = synthetic(TRAIN)
    head, c = train_head(noise(len(texts), 4), texts, labels, {}, (1.0,),
                         feature_sets(lexicon=False, fast=True) + [(EMBEDDING,)], fast)
    # On embeddings of noise, the inputs with the fast model must win.
    assert FAST in head.features and c == 1.0
    assert set(head.metadata["cv_macro_f1"]) == {"embedding+fast C=1.0", "embedding C=1.0"}
    assert feature_sets(lexicon=True, fast=False) == [(EMBEDDING, LEXICON)]


def test_the_fast_models_scores_carry_the_head_on_new_subjects(fitted, synthetic) -> None:
    head, _ = fitted
    texts, labels = synthetic(NEW)
    predicted = [s.label.value for s in head.predict(noise(len(texts), 2), texts)]
    assert sum(p == g for p, g in zip(predicted, labels, strict=True)) >= 0.9 * len(labels)


def test_the_artifact_carries_its_fast_model_and_a_head_without_it_is_refused(
        fitted, synthetic) -> None:
    head, _ = fitted
    document = json.loads(json.dumps(head.to_dict()))
    again = DeepSentimentHead.from_dict(document)
    texts, _ = synthetic(NEW)
    x = noise(len(texts), 3)
    assert again.fast is not None and again.fast.version == head.fast.version
    assert [s.label for s in again.predict(x, texts)] == [s.label for s in head.predict(x, texts)]
    del document["fast_model"]
    with pytest.raises(ValueError, match="fast_model"):
        DeepSentimentHead.from_dict(document)


def test_a_deep_worker_activates_a_head_with_its_fast_model(fitted) -> None:
    head, _ = fitted
    models = DeepModels(ClassifierSettings())
    models.apply(DeepModelChanged(kind=SENTIMENT, version=head.version, model=head.to_dict(),
                                  changed_at="2026-12-03T12:00:00Z"))
    assert models.head is not None and models.head.version == head.version
    assert models.head.input_size(EMBEDDING_DIM) == EMBEDDING_DIM + 3
