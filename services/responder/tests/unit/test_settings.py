import pytest
from pydantic import ValidationError

from socialcare_responder.settings import ResponderSettings

pytestmark = pytest.mark.unit


def test_start_up_refuses_saved_replies_left_in_the_brand_settings(monkeypatch) -> None:
    """Saved replies moved to the inbox: an old SOCIALCARE_BRANDS must not lose them quietly."""
    monkeypatch.setenv("SOCIALCARE_BRANDS",
                       '{"*": {"saved_replies": {"track": "Track it at {link}"}}}')
    with pytest.raises(ValidationError, match=r"PUT /v1/saved-replies/\{name\}"):
        ResponderSettings()
    monkeypatch.setenv("SOCIALCARE_BRANDS", '{"*": {"signature": "- Acme"}}')
    assert ResponderSettings().brand_policy("any").signature == "- Acme"
