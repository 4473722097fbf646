import pytest

from socialcare_classifier.domain.intents import (
    TAXONOMY,
    detect_intents,
    reconcile_with_sentiment,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Where is my order #123456? Still not here", "order_status"),
        ("My package was delivered to the wrong address", "shipping_delivery"),
        ("the blender arrived broken", "product_defect"),
        ("when will the blue jacket be back in stock?", "product_availability"),
        ("I was charged twice for one order", "payment_billing"),
        ("I want a refund", "refund_return"),
        ("locked out of my account, password reset never arrives", "account_access"),
        ("is the app down? keeps crashing", "outage"),
        ("the cashier at your store was so rude", "in_store_experience"),
        ("on hold for 2 hours, terrible customer service", "service_complaint"),
        ("thank you so much, great job!", "praise"),
        ("what are your opening hours?", "general_question"),
        ("FREE followers click here http://spam.example", "spam"),
        ("Mi pedido no ha llegado", "order_status"),
        ("Ma commande est arrivée cassée", "product_defect"),
        ("Ich möchte eine Rückerstattung", "refund_return"),
        ("Não consigo acessar minha conta", "account_access"),
        ("Il sito è giù", "outage"),
        ("De medewerker in de winkel was onvriendelijk", "in_store_experience"),
        ("로그인이 안 돼요", "account_access"),
        ("二重に請求されています", "payment_billing"),
    ],
)
def test_detects_intent(text: str, intent: str) -> None:
    assert intent in detect_intents(text)


def test_tolerates_light_misspellings() -> None:
    assert "shipping_delivery" in detect_intents("shippment still not here")
    assert "account_access" in detect_intents("forgot my pasword")
    assert "shipping_delivery" in detect_intents("the deliverry guy never came")


def test_real_words_are_not_read_as_misspellings() -> None:
    assert "payment_billing" not in detect_intents("how do I change the colour?")
    assert "shipping_delivery" not in detect_intents("went shopping at the mall")
    assert "account_access" not in detect_intents("it came perfectly packed")


def test_multi_label_in_taxonomy_order() -> None:
    intents = detect_intents("Charged twice and the app is down, I want a refund")
    assert intents == ("payment_billing", "refund_return", "outage")
    assert all(i in TAXONOMY for i in intents)


def test_general_question_only_when_nothing_specific() -> None:
    assert detect_intents("Do you have a student discount?") == ("general_question",)
    assert "general_question" not in detect_intents("Where is my order?")


def test_customer_mentioning_followers_is_not_spam() -> None:
    assert "spam" not in detect_intents("20 minutes and no answer. I have 300k followers")


def test_sentiment_settles_praise_and_service_complaints() -> None:
    assert "praise" not in reconcile_with_sentiment(("praise", "service_complaint"), -0.6)
    assert reconcile_with_sentiment(("service_complaint",), 0.7) == ("praise",)
    assert reconcile_with_sentiment(("outage",), 0.7) == ("outage",)
