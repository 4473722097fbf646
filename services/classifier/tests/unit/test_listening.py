import pytest

from socialcare_classifier.domain.listening import match_keywords
from socialcare_classifier.domain.rules import DEFAULT_RULES

pytestmark = pytest.mark.unit

KEYWORDS = (
    ("acme", ("acme", "acmeshop", "acme shop", "acme_support", "akme")),
    ("rocketboots", ("rocketboots", "rocket boots", "rb2000")),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@acme_support my order", ("acme",)),
        ("I love ACME", ("acme",)),
        ("bought at the Acme Shop today", ("acme",)),
        ("akme never again", ("acme",)),
        ("acmeshp is down", ("acme",)),  # one edit from a 5+ letter spelling
        ("#AcmeFail again", ("acme",)),  # hashtags glue words
        ("Acme's new store", ("acme",)),
        ("my rocketbots broke", ("rocketboots",)),
        ("rocket-boots and ACMESHOP", ("acme", "rocketboots")),
        ("the RB2000 is great", ("rocketboots",)),
    ],
)
def test_matches_spellings_abbreviations_and_typos(text: str, expected: tuple[str, ...]) -> None:
    assert match_keywords(text, KEYWORDS) == expected


@pytest.mark.parametrize("text", ["academy awards", "pacmen", "acne cream", "rocket science"])
def test_whole_words_only_and_short_words_exact(text: str) -> None:
    assert match_keywords(text, KEYWORDS) == ()


def test_defaults_and_empty_configuration() -> None:
    assert "acme" in match_keywords("@acmeshop hi", DEFAULT_RULES.brand_keywords)
    assert match_keywords("@acmeshop hi", ()) == ()
