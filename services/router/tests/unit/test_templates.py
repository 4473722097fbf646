import pytest

from socialcare_router.domain.templates import MissingVariables, initials, render, variables_of

pytestmark = pytest.mark.unit


def test_initials_sign_like_agents_do() -> None:
    assert initials("Jamie Jones") == "^JJ"
    assert initials("  ana   maría lópez ") == "^AML"


def test_render_fills_every_variable_once_and_keeps_other_text() -> None:
    text = "Hi {customer_name}! Track {order_number} at {link}. {agent_initials} {Not A Variable}"
    assert variables_of(text) == ["customer_name", "order_number", "link", "agent_initials"]
    out = render(text, {"customer_name": "Dana", "order_number": "A-1", "link": "https://x.y",
                        "agent_initials": "^JJ", "unused": "z"})
    assert out == "Hi Dana! Track A-1 at https://x.y. ^JJ {Not A Variable}"


def test_render_refuses_half_filled_text() -> None:
    with pytest.raises(MissingVariables) as caught:
        render("{customer_name}, order {order_number}", {"customer_name": ""})
    assert caught.value.names == ["customer_name", "order_number"]
