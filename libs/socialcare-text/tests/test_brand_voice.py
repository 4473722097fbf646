import pytest

from socialcare_text.brand_voice import (
    BrandPolicy,
    CompositionError,
    compose,
    unfilled_placeholders,
)

pytestmark = pytest.mark.unit


def test_a_placeholder_left_in_the_text_is_refused_with_its_name() -> None:
    with pytest.raises(CompositionError, match=r"\{customer_name\}, \{order_number\}"):
        compose("Sorry {customer_name}, order {order_number} {customer_name}", BrandPolicy(),
                "a1", "JJ")


def test_braces_that_are_no_variable_are_text() -> None:
    assert compose("Use code {SAVE10} or {}", BrandPolicy(), "a1", "JJ") == \
        "Use code {SAVE10} or {} ^JJ"
    assert unfilled_placeholders("{a_b} {A} {a_b} {x1} {c}") == ["a_b", "c"]


def test_a_saved_reply_is_checked_after_it_is_expanded() -> None:
    policy = BrandPolicy(saved_replies={"track": "Track it at {link}"})
    with pytest.raises(CompositionError, match=r"\{link\}"):
        compose("{{saved:track}}", policy, "a1", "JJ")
