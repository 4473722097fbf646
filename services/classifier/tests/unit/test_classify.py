from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare_classifier.domain.classify import ClassifierRules, classify
from socialcare_classifier.domain.intents import TAXONOMY
from socialcare_contracts import limits
from socialcare_contracts.events import Classification, SentimentLabel
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform

pytestmark = pytest.mark.unit


def message(text: str, author: Author | None = None, **fields: object) -> NormalizedMessage:
    return NormalizedMessage(
        platform=Platform.X,
        channel=fields.pop("channel", ChannelKind.MENTION),
        brand_account="acmeshop",
        platform_message_id="1857000000000000001",
        author=author or Author(id="u1", handle="someone", followers=120),
        text=text,
        created_at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
        **fields,
    )


def test_fills_every_field() -> None:
    result = classify(
        message(
            "@acme_support your app is DOWN again!!! I was charged twice, urgent. "
            "Call me on +1 415 555 0199",
            Author(id="u2", followers=250_000, verified=True),
        )
    )
    assert result.language == "en" and result.language_confidence > 0.4
    assert result.sentiment.label is SentimentLabel.NEGATIVE
    assert {"outage", "payment_billing"} <= set(result.intents)
    assert result.priority >= 90
    assert {"urgent_words", "private_data", "author:verified"} <= set(result.priority_reasons)
    assert result.listening_matches == ("acme",)
    assert result.private_data is True
    assert result.model_version == "rules-2026.11.1"


def test_angry_outage_from_verified_account_outranks_a_thank_you() -> None:
    star = Author(id="u3", followers=120_000, verified=True)
    outage = classify(message("@acmeshop site is down and checkout keeps failing. Fix it!", star))
    thanks = classify(message("@acmeshop thank you so much, the parcel arrived early 😊"))
    assert thanks.sentiment.label is SentimentLabel.POSITIVE
    assert "praise" in thanks.intents
    assert outage.priority > thanks.priority


def test_sarcastic_thanks_is_not_praise() -> None:
    result = classify(message("Been on hold for 2 hours. Thanks for nothing @acmeshop"))
    assert result.sentiment.label is SentimentLabel.NEGATIVE
    assert "praise" not in result.intents
    assert "service_complaint" in result.intents


def test_custom_rules_change_matches_and_version() -> None:
    rules = ClassifierRules(
        brand_keywords=(("globex", ("globex", "glbx")),), order_patterns=(r"\bGX-\d{6}\b",)
    )
    result = classify(message("glbx lost GX-123456 again"), rules)
    assert result.listening_matches == ("globex",)
    assert result.private_data is True
    assert result.model_version.startswith("rules-2026.11.1+")
    assert result.model_version != classify(message("hi"), ClassifierRules()).model_version
    other = ClassifierRules(brand_keywords=(("initech", ("initech",)),))
    assert classify(message("hi"), other).model_version != result.model_version


def test_default_rules_are_a_stable_value() -> None:
    assert ClassifierRules() == ClassifierRules()
    assert hash(ClassifierRules()) == hash(ClassifierRules())


@settings(max_examples=300, deadline=None)
@given(text=st.from_regex(limits.CLEAN_TEXT_PATTERN, fullmatch=True).filter(
           lambda t: len(t) <= 400),
       hint=st.none() | st.from_regex(limits.ID_PATTERN, fullmatch=True).filter(
           lambda h: len(h) <= 16))
def test_never_raises_and_always_returns_a_valid_classification(
    text: str, hint: str | None
) -> None:
    result = classify(message(text, language_hint=hint))
    again = Classification.model_validate(result.model_dump())
    assert again == result
    assert set(result.intents) <= set(TAXONOMY)
    assert len(set(result.intents)) == len(result.intents)
    assert result.language == "und" or len(result.language) == 2


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            "not no very good bad 😡 😍 !!! ??? :) :( refund order acme @acme #acme "
            "4242424242424242 a@b.co but nicht pas não no funciona WORST".split()
        ),
        max_size=40,
    )
)
def test_never_raises_on_keyword_soup(words: list[str]) -> None:
    result = classify(message(" ".join(words)))
    assert -1.0 <= result.sentiment.score <= 1.0
    assert 0 <= result.priority <= 100


def test_private_data_comes_with_a_masked_copy_and_clean_text_without() -> None:
    private = classify(message("@acme refund card 4242 4242 4242 4242 to jane.doe@example.com"))
    clean = classify(message("@acme where is my parcel?"))
    assert private.private_data and private.masked_text is not None
    assert "4242 4242 4242 4242" not in private.masked_text
    assert "jane.doe@example.com" not in private.masked_text and "@acme" in private.masked_text
    assert not clean.private_data and clean.masked_text is None
