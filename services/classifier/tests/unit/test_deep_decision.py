"""The deep stage's decision: override only where it disagrees, and rescore the priority."""

from datetime import UTC, datetime

import numpy as np
import pytest

from socialcare_classifier.domain.deep import DeepLabels, refine
from socialcare_classifier.domain.deep_sentiment import DeepSentimentHead
from socialcare_classifier.domain.prototypes import NO_INTENT, Prototypes
from socialcare_contracts.events import Classification, MessageClassified, Sentiment
from socialcare_contracts.messages import NormalizedMessage

pytestmark = pytest.mark.unit
AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def classified(label: str = "neutral", intents: tuple[str, ...] = (),
               reasons: tuple[str, ...] = (), stage: str = "lexicon") -> MessageClassified:
    message = NormalizedMessage(platform="x", channel="mention", brand_account="acme",
                                platform_message_id="m1", author={"id": "u1"},
                                text="94 min hold and counting", created_at=AT)
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=1.0, sentiment=Sentiment(label=label, score=0.0),
        intents=intents, priority=30, priority_reasons=reasons, model_version="rules",
        decided_by={"sentiment": stage}))


def test_agreeing_deep_stage_publishes_nothing() -> None:
    deep = DeepLabels(("service_complaint",), "e5", Sentiment(label="neutral", score=0.1), "h1")
    assert refine(classified(intents=("service_complaint",)), deep) is None


def test_a_negative_the_fast_stage_missed_is_refined_and_rescored() -> None:
    deep = DeepLabels((), "e5", Sentiment(label="negative", score=-0.9), "h1")
    refined = refine(classified(reasons=("repeat_contact:2",)), deep)
    assert refined is not None
    assert refined.refined == ("sentiment",)
    assert refined.fast_sentiment == "neutral"
    c = refined.classification
    assert c.sentiment.label == "negative"
    assert c.decided_by == {"sentiment": "deep:h1"}
    assert c.priority > 30 and "repeat_contact:2" in c.priority_reasons
    assert c.model_version == "rules+deep:h1"


def test_the_brands_own_model_is_not_overruled_but_another_brands_or_the_global_is() -> None:
    deep = DeepLabels((), "e5", Sentiment(label="negative", score=-0.9), "h1")
    assert refine(classified(stage="fast:sentiment-ACME-20261203-0123456789"), deep) is None
    for stage in ("fast:sentiment-20261203-0123456789", "fast:sentiment-globex-20261203-0a",
                  "fast:sentiment-acmeshop-20261203-0b"):
        refined = refine(classified(stage=stage), deep)
        assert refined is not None and refined.refined == ("sentiment",), stage


def test_prototype_intents_fill_only_a_message_the_rules_left_empty() -> None:
    deep = DeepLabels(("order_status",), "e5", None, None)
    assert refine(classified(intents=("praise",)), deep) is None
    refined = refine(classified(), deep)
    assert refined is not None and refined.classification.intents == ("order_status",)
    assert refined.classification.decided_by["intents"] == "deep:e5"


def test_prototypes_pick_the_nearest_intent_or_none() -> None:
    examples = {"a": np.array([[1.0, 0.0, 0.0]]), "b": np.array([[0.0, 1.0, 0.0]]),
                NO_INTENT: np.array([[0.0, 0.0, 1.0]])}
    prototypes = Prototypes.from_examples(examples, threshold=0.5, margin=0.0)
    assert prototypes.decide(np.array([[0.9, 0.1, 0.0], [0.0, 0.1, 0.9]])) == [("a",), ()]


def test_the_sentiment_head_round_trips_and_predicts() -> None:
    head = DeepSentimentHead.from_dict({
        "kind": "deep-sentiment-lr", "version": "h1",
        "classes": ["negative", "neutral", "positive"],
        "coef": [[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]], "intercept": [0.0, 0.0, 0.0]})
    assert DeepSentimentHead.from_dict(head.to_dict()).version == "h1"
    [pos, neg] = head.predict(np.array([[3.0, 0.0], [-3.0, 0.0]]), ["a", "b"])
    assert (pos.label, neg.label) == ("positive", "negative")
    assert pos.score > 0.9 > -0.9 > neg.score
    with pytest.raises(ValueError):
        DeepSentimentHead.from_dict({"kind": "deep-sentiment-lr", "version": "x",
                                     "classes": ["negative"], "coef": [[1.0], [2.0]],
                                     "intercept": [0.0]})


def test_a_head_with_the_lexicon_reads_the_texts_too() -> None:
    head = DeepSentimentHead.from_dict({
        "kind": "deep-sentiment-lr", "version": "h2", "features": ["embedding", "lexicon"],
        "classes": ["negative", "neutral", "positive"],
        "coef": [[0.0, -9.0], [0.0, 0.0], [0.0, 9.0]], "intercept": [0.0, 0.5, 0.0]})
    assert head.input_size(1) == 2
    [bad, good] = head.predict(np.zeros((2, 1)), ["terrible awful service", "thank you, great"])
    assert (bad.label, good.label) == ("negative", "positive")
    with pytest.raises(ValueError):
        DeepSentimentHead.from_dict({**head.to_dict(), "features": ["lexicon"]})
