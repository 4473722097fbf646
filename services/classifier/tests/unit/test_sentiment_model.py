import csv
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialcare_classifier.adapters.rules_feed import (
    SENTIMENT_MODEL_KEY,
    TaxonomyRegistry,
    UnusableRules,
    rules_change,
    sentiment_model_change,
)
from socialcare_classifier.domain.classify import classify
from socialcare_classifier.domain.sentiment import score_text
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.domain.taxonomy import BrandTaxonomy, split_holdout
from socialcare_classifier.sentiment_cli import activation_verdict, held_out_scores
from socialcare_classifier.sentiment_training import (
    featurize,
    fit_estimator,
    matrix,
    train_sentiment,
)
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform

Synthetic = Callable[[tuple[str, ...]], tuple[list[str], list[str]]]

pytestmark = pytest.mark.unit

SUBJECTS = ("the zorbix", "my flarn", "our quibble", "this trebon", "the vask", "a plimmet")


@pytest.fixture(scope="module")
def model(synthetic: Synthetic) -> SentimentModel:
    texts, labels = synthetic(SUBJECTS[:4])
    return train_sentiment(texts, labels, {"trained_at": "2026-12-03T10:00:00+00:00"},
                           c_grid=(10.0,)).model


def predict(model: SentimentModel, text: str) -> str:
    return model.predict(text, score_text(text)).label.value


def test_a_model_trained_on_a_small_set_learns_it_and_generalises_to_new_subjects(
        model: SentimentModel, synthetic: Synthetic) -> None:
    texts, labels = synthetic(SUBJECTS[4:])
    assert [predict(model, t) for t in texts] == labels


def test_served_probabilities_equal_scikit_learns(model: SentimentModel,
                                                  synthetic: Synthetic) -> None:
    texts, labels = synthetic(SUBJECTS[:4])
    features = featurize(texts)
    estimator, vocabularies = fit_estimator(features, labels, 10.0)
    expected = estimator.predict_proba(matrix(featurize(texts[:6]), vocabularies))
    served = [model.probabilities(t, score_text(t)) for t in texts[:6]]
    for row, probabilities in zip(expected, served, strict=True):
        assert [probabilities[label] for label in estimator.classes_] == pytest.approx(
            list(row), abs=1e-5)


def test_an_artifact_round_trips_through_json(model: SentimentModel) -> None:
    document = json.loads(json.dumps(model.to_dict()))
    loaded = SentimentModel.from_dict(document)
    assert loaded.version == model.version and loaded.version.startswith("sentiment-20261203-")
    assert loaded.metadata == model.metadata
    for text in ("the vask is grobbly", "a plimmet was glimmerous", "hello"):
        assert loaded.probabilities(text, 0.0) == pytest.approx(model.probabilities(text, 0.0))


def test_a_document_whose_weights_were_changed_or_whose_features_differ_is_refused(
        model: SentimentModel) -> None:
    document = model.to_dict()
    swapped = {**document, "intercept": list(reversed(document["intercept"]))}
    with pytest.raises(ValueError, match="do not match its version"):
        SentimentModel.from_dict(swapped)
    with pytest.raises(ValueError, match="retrain"):
        SentimentModel.from_dict({**document, "char_ngrams": [3, 6]})
    with pytest.raises(ValueError, match="invalid model"):
        SentimentModel.from_dict({k: v for k, v in document.items() if k != "blocks"})


@pytest.mark.parametrize(("candidate", "active", "refused"), [
    (0.70, 0.75, "does not beat"), (0.75, 0.75, "does not beat"), (0.40, 0.30, "floor"),
    (0.76, 0.75, None)])
def test_activation_needs_a_better_held_out_score_than_the_active_model(
        candidate: float, active: float, refused: str | None) -> None:
    verdict = activation_verdict(candidate, active, floor=0.5)
    assert (verdict is None) if refused is None else (refused in (verdict or ""))


def message(text: str) -> NormalizedMessage:
    return NormalizedMessage(platform=Platform.X, channel=ChannelKind.MENTION,
                             brand_account="acme", platform_message_id="m1",
                             author=Author(id="a1"), text=text,
                             created_at=datetime(2026, 12, 3, tzinfo=UTC))


def test_classify_says_which_stage_decided_the_sentiment(model: SentimentModel) -> None:
    text = "the vask keeps blenching"
    by_lexicon = classify(message(text))
    assert by_lexicon.decided_by == {"sentiment": "lexicon"}
    by_model = classify(message(text), sentiment_model=model)
    assert by_model.sentiment.label.value == "negative"
    assert by_model.decided_by == {"sentiment": f"fast:{model.version}"}
    assert model.version in by_model.model_version
    assert by_model.model_version != by_lexicon.model_version


def test_running_workers_registry_activates_a_model_keeps_it_over_a_broken_one_and_can_go_back(
        model: SentimentModel) -> None:
    registry = TaxonomyRegistry()
    assert registry.apply(sentiment_model_change(model, "test"))
    assert registry.sentiment_model is not None
    assert registry.sentiment_model.version == model.version
    broken = sentiment_model_change(model, "test").model_copy(
        update={"taxonomy": {**model.to_dict(), "labels": ["negative", "angry", "positive"]}})
    assert not registry.apply(broken)
    assert registry.refused == 1
    assert registry.sentiment_model.version == model.version
    assert registry.apply(sentiment_model_change(None, "test"))
    assert registry.sentiment_model is None
    with pytest.raises(UnusableRules, match="not a brand"):
        rules_change(SENTIMENT_MODEL_KEY.upper(), BrandTaxonomy("x", (("a", ("b",)),)), "test")


AIRLINE = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "airline-dev.csv"


@pytest.mark.skipif(not AIRLINE.exists(), reason=f"{AIRLINE} absent (shared data)")
def test_on_real_airline_tweets_the_fast_stage_beats_the_lexicon_on_held_out_rows() -> None:
    with AIRLINE.open(encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["airline_sentiment"]) for r in csv.DictReader(f)]
    train, test = split_holdout(rows, 0.25, seed=16)
    model = train_sentiment([t for t, _ in train], [label for _, label in train], {},
                            c_grid=(2.0,)).model
    fast = held_out_scores(model, test).macro_f1
    lexicon = held_out_scores(None, test).macro_f1
    assert fast > 0.72 and fast > lexicon + 0.03, (fast, lexicon)
