import json

import pytest
from pydantic import ValidationError

from socialcare_text.brand_voice import (
    BrandPolicy,
    BrandVoiceSettings,
    CompositionError,
    compose,
)

pytestmark = pytest.mark.unit


def test_a_placeholder_left_in_the_text_is_refused_with_its_name() -> None:
    with pytest.raises(CompositionError, match=r"\{customer_name\}, \{order_number\}"):
        compose("Sorry {customer_name}, order {order_number} {customer_name}", BrandPolicy(),
                "a1", "JJ")


def test_braces_that_are_no_variable_are_text() -> None:
    assert compose("Use code {SAVE10} or {}", BrandPolicy(), "a1", "JJ") == \
        "Use code {SAVE10} or {} ^JJ"


def test_the_signature_is_added_once_and_skipped_without_initials() -> None:
    policy = BrandPolicy()
    assert compose("  Done ", policy, "a1", "JJ") == "Done ^JJ"
    assert compose("Done ^JJ", policy, "a1", "JJ") == "Done ^JJ"
    assert compose("Done", policy, "a1", None) == "Done"
    assert compose("Done", BrandPolicy(signature="— Team Acme"), "a1", None) == \
        "Done — Team Acme"
    assert compose("Done", BrandPolicy(signature=""), "a1", "JJ") == "Done"


def test_retired_saved_reply_markup_is_refused_not_posted() -> None:
    # A reply requested before saved replies left the brand settings.
    with pytest.raises(CompositionError, match=r"saved_reply"):
        compose("Sorry! {{saved:track}}", BrandPolicy(), "a1", "JJ")


def test_brand_settings_with_saved_replies_refuse_to_load_and_name_the_fix() -> None:
    brands = json.dumps({"*": {}, "acme": {"saved_replies": {"track": "Track it at {link}"}}})
    with pytest.raises(ValidationError) as caught:
        BrandVoiceSettings.model_validate_json(f'{{"brands": {brands}}}')
    assert "PUT /v1/saved-replies/{name}" in str(caught.value)
    assert "acme" in str(caught.value)
    assert BrandVoiceSettings.model_validate({"brands": {"acme": {"allow_threads": False}}}) \
        .brand_policy("acme").allow_threads is False
