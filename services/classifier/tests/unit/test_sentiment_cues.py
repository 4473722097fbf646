"""Factual complaints: no emotional word, yet clearly negative for a care team."""

import pytest

from socialcare_classifier.domain.sentiment import analyze_sentiment
from socialcare_contracts.events import SentimentLabel

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("text", [
    "you made me miss my connection and now I have to pay for a hotel",
    "had to wait at the counter while the line did not move",
    "the lounge ran out of food again",
    "no wifi and no power outlets on a five hour trip",
    "been trying to get through to someone since last night",
    "it shouldn't take half a day to reach you",
    "I expected better from a company I have used for years",
    "the app is sloooow today",
    "day three of this saga #badservice",
])
def test_factual_complaints_are_negative(text: str) -> None:
    assert analyze_sentiment(text).label is SentimentLabel.NEGATIVE


@pytest.mark.parametrize("text", [
    "what time does the store open on sunday?",
    "do you ship to canada",
    "soooo good, thank you!",
])
def test_plain_questions_and_drawn_out_praise_are_not_negative(text: str) -> None:
    assert analyze_sentiment(text).label is not SentimentLabel.NEGATIVE
