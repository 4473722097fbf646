import pytest

from socialcare_classifier.domain.sentiment import analyze_sentiment
from socialcare_contracts.events import SentimentLabel

pytestmark = pytest.mark.unit

NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE


def label(text: str) -> SentimentLabel:
    return analyze_sentiment(text).label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Love the new app, great job!", POS),
        ("This is the worst service I have ever had", NEG),
        ("What are your opening hours on Sunday?", NEU),
        ("Excelente servicio, muchas gracias", POS),
        ("Service client nul, je suis très déçu", NEG),
        ("Super Service, vielen Dank!", POS),
        ("Péssimo atendimento, que vergonha", NEG),
        ("Servizio ottimo, grazie mille", POS),
        ("Waardeloos, echt teleurgesteld", NEG),
        ("迅速な対応ありがとうございます", POS),
        ("최악이에요. 너무 실망했어요", NEG),
    ],
)
def test_polarity_across_languages(text: str, expected: SentimentLabel) -> None:
    assert label(text) is expected


@pytest.mark.parametrize(
    ("positive", "negated"),
    [
        ("the app is good", "the app is not good"),
        ("funciona bien", "no funciona"),
        ("je suis content", "je ne suis pas content"),
        ("das ist gut", "das ist nicht gut"),
        ("funciona muito bem", "não funciona"),
        ("funziona bene", "non funziona"),
        ("het werkt goed", "het werkt niet"),
    ],
)
def test_negation_flips_polarity(positive: str, negated: str) -> None:
    assert analyze_sentiment(positive).score > 0
    assert analyze_sentiment(negated).score < 0
    assert label(negated) is NEG


def test_negation_stops_at_the_end_of_the_clause() -> None:
    # "not" belongs to the first clause; "great" after the full stop stays positive.
    assert analyze_sentiment("Did not expect much. Great service!").label is POS


def test_emoji_and_emoticons_carry_sentiment() -> None:
    assert label("@acmeshop my order 😡😡") is NEG
    assert label("@acmeshop my order 😍") is POS
    assert label("got it :)") is POS
    assert label("got it :(") is NEG
    assert label("see https://example.com/a:/b") is NEU  # URL colons are not emoticons


def test_intensifiers_caps_and_exclamations_strengthen() -> None:
    base = analyze_sentiment("this is bad").score
    assert analyze_sentiment("this is very bad").score < base
    assert analyze_sentiment("this is BAD").score < base
    assert analyze_sentiment("this is bad!!!").score < base
    assert analyze_sentiment("this is slightly bad").score > base


def test_customer_service_cues_without_emotion_words_are_negative() -> None:
    assert label("still waiting for my package") is NEG
    assert label("on hold for 2 hours now") is NEG
    assert label("My flight was cancelled and nobody is answering") is NEG
    assert label("Sigo esperando mi pedido") is NEG
    # Device and security failures, once read as neutral or positive.
    for text in ("My account has been compromised", "Got a faulty iPhone… defective product",
                 "it freezes every few minutes", "the app is unresponsive"):
        assert label(text) is NEG, text


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for nothing.",
        "Oh great, my delivery is delayed again",
        "Love how nobody answers the phone 🙄",
        "Thanks so much for losing my bag",
        "Finally got an agent after another hour. Thanks…",
        "3 calls and 2 days later someone answers. thanks...",
    ],
)
def test_sarcasm_cues_turn_praise_words_negative(text: str) -> None:
    assert label(text) is NEG


def test_thanks_after_a_wait_is_grudging_only_when_it_trails_off() -> None:
    assert label("Finally got it working, thanks!") is POS
    assert label("Thanks… that fixed it") is not NEG  # no wait: just a pause


def test_but_shifts_weight_to_what_follows() -> None:
    assert label("The staff were nice but the product is terrible") is NEG
    assert label("Delivery was slow but the product is excellent") is POS


def test_polite_requests_are_not_praise() -> None:
    assert label("Can you check the status of my order? Thanks") is NEU


def test_score_is_bounded() -> None:
    very = analyze_sentiment("WORST WORST WORST terrible horrible awful 😡😡😡!!!!!!")
    assert very.label is NEG
    assert -1.0 <= very.score < -0.8
