import pytest

from socialcare_text.templates import MissingVariables, initials, render, variables_of

pytestmark = pytest.mark.unit


def test_initials_are_the_first_letter_of_each_name() -> None:
    assert initials("Jamie Jones") == "JJ"
    assert initials("  ana   maría lópez ") == "AML"
    assert initials("   ") == ""


def test_render_fills_every_variable_once_and_keeps_other_text() -> None:
    text = "Hi {customer_name}! Track {order_number} at {link}. {agent_initials} {Not A Variable}"
    assert variables_of(text) == ["customer_name", "order_number", "link", "agent_initials"]
    out = render(text, {"customer_name": "Dana", "order_number": "A-1", "link": "https://x.y",
                        "agent_initials": "^JJ", "unused": "z"})
    assert out == "Hi Dana! Track A-1 at https://x.y. ^JJ {Not A Variable}"


def test_braces_that_are_no_variable_are_text() -> None:
    assert variables_of("{a_b} {A} {a_b} {x1} {c} {SAVE10} {}") == ["a_b", "c"]
    assert render("Use code {SAVE10} or {}", {}) == "Use code {SAVE10} or {}"


def test_render_refuses_half_filled_text() -> None:
    with pytest.raises(MissingVariables) as caught:
        render("{customer_name}, order {order_number}", {"customer_name": ""})
    assert caught.value.names == ["customer_name", "order_number"]
    assert "customer_name, order_number" in str(caught.value)
