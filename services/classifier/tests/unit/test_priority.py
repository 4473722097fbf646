import pytest

from socialcare_classifier.domain.priority import score_priority, urgent_terms
from socialcare_contracts.events import Sentiment, SentimentLabel
from socialcare_contracts.messages import Author, ChannelKind

pytestmark = pytest.mark.unit

NEUTRAL = Sentiment(label=SentimentLabel.NEUTRAL, score=0.0)
ANGRY = Sentiment(label=SentimentLabel.NEGATIVE, score=-0.8)
HAPPY = Sentiment(label=SentimentLabel.POSITIVE, score=0.8)
NOBODY = Author(id="u1", followers=40)


def test_angry_verified_outage_outranks_a_thank_you() -> None:
    star = Author(id="u2", followers=250_000, verified=True)
    outage = score_priority("app is down, fix it", ANGRY, ("outage",), star, False)
    thanks = score_priority("thanks!", HAPPY, ("praise",), NOBODY, False)
    assert outage.score > thanks.score + 40
    assert {"intent:outage", "author:verified", "sentiment:negative"} <= set(outage.reasons)
    assert "intent:praise" in thanks.reasons


def test_intent_weights_order_urgency() -> None:
    def score(intent: str) -> int:
        return score_priority("x", NEUTRAL, (intent,), NOBODY, False).score

    assert score("outage") > score("order_status") > score("general_question") > score("praise")
    assert score("payment_billing") > score("shipping_delivery")
    assert score("account_access") > score("product_availability")
    assert score("spam") < score("praise")


def test_reach_raises_priority() -> None:
    small = score_priority("x", NEUTRAL, (), NOBODY, False).score
    big = score_priority("x", NEUTRAL, (), Author(id="u3", followers=2_000_000), False)
    assert big.score > small
    assert "author:followers>=1m" in big.reasons


@pytest.mark.parametrize(
    "text",
    [
        "URGENT please",
        "need this asap",
        "I will call my lawyer",
        "refund now or I cancel my subscription",
        "es urgente",
        "c'est une urgence",
        "bitte dringend",
        "preciso imediatamente",
        "lo voglio subito",
        "graag meteen",
        "至急お願いします",
        "긴급합니다",
    ],
)
def test_urgent_words_in_several_languages(text: str) -> None:
    assert urgent_terms(text)
    result = score_priority(text, NEUTRAL, (), NOBODY, False)
    assert "urgent_words" in result.reasons
    assert result.score > score_priority("hello", NEUTRAL, (), NOBODY, False).score


def test_private_data_in_public_adds_more_than_in_a_dm() -> None:
    public = score_priority("x", NEUTRAL, (), NOBODY, True, ChannelKind.MENTION)
    dm = score_priority("x", NEUTRAL, (), NOBODY, True, ChannelKind.DIRECT_MESSAGE)
    assert public.score > dm.score
    assert "private_data" in public.reasons and "private_data" in dm.reasons


def test_score_stays_within_bounds() -> None:
    star = Author(id="u4", followers=5_000_000, verified=True)
    worst = score_priority(
        "URGENT lawyer",
        Sentiment(label=SentimentLabel.NEGATIVE, score=-1.0),
        ("outage", "payment_billing", "account_access", "refund_return"),
        star,
        True,
    )
    assert worst.score == 100
    spam = score_priority("x", HAPPY, ("spam", "praise"), NOBODY, False)
    assert spam.score == 0
