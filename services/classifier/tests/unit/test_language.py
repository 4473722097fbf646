import pytest

from socialcare_classifier.domain.language import detect_language

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@acmeshop where is my order? It was supposed to arrive yesterday", "en"),
        ("¿Dónde está mi pedido? Nadie responde desde hace una semana", "es"),
        ("Ma commande n'est toujours pas arrivée, c'est inadmissible", "fr"),
        ("Meine Bestellung ist immer noch nicht angekommen", "de"),
        ("Meu pedido ainda não chegou, já faz 15 dias", "pt"),
        ("Il mio ordine non è ancora arrivato, che vergogna", "it"),
        ("Mijn bestelling is nog steeds niet aangekomen", "nl"),
        ("주문한 상품이 아직 도착하지 않았어요", "ko"),
        ("注文した商品がまだ届きません", "ja"),
        ("我的订单还没到", "zh"),
    ],
)
def test_detects_each_supported_language(text: str, expected: str) -> None:
    code, confidence = detect_language(text)
    assert code == expected
    assert confidence >= 0.4


@pytest.mark.parametrize("text", ["", "ok", "😡😡😡", "@acme_support https://t.co/abc #x", "12345"])
def test_says_und_with_low_confidence_when_text_says_too_little(text: str) -> None:
    code, confidence = detect_language(text)
    assert code == "und"
    assert confidence <= 0.3


def test_handles_urls_and_hashtag_marks_do_not_count_as_words() -> None:
    # Without the noise removal the English handle and URL would outweigh the Spanish.
    code, _ = detect_language(
        "@the_best_shop_in_the_world https://the.example/the ¿Dónde está mi pedido?"
    )
    assert code == "es"
    assert detect_language("#gracias por todo, muy amables")[0] == "es"


def test_hint_breaks_a_tie_but_does_not_override_clear_evidence() -> None:
    tie_text = "wie in die"  # German and Dutch alike
    assert detect_language(tie_text, hint="nl")[0] == "nl"
    assert detect_language(tie_text, hint="de-AT")[0] == "de"
    clear = "Meine Bestellung ist immer noch nicht angekommen"
    assert detect_language(clear, hint="fr")[0] == "de"


def test_confidence_grows_with_evidence() -> None:
    short = detect_language("thanks guys")[1]
    long = detect_language("thanks guys, the order arrived and it is exactly what I wanted")[1]
    assert long > short
