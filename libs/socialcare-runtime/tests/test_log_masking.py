"""Personal data never reaches a log line; ids, offsets and dates stay readable."""

import logging

import pytest

from socialcare_runtime.log_masking import PersonalDataFilter, mask_personal_data

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "expected"), [
    ("reply to dana.r+shop@example.co.uk failed", "reply to [email] failed"),
    ("card 4111 1111 1111 1111 in message", "card [card] in message"),
    ("card 4111-1111-1111-1111", "card [card]"),
    ("call +44 20 7946 0958 now", "call [phone] now"),
    ("call (555) 123-4567", "call [phone]"),
    ("call 0151 496 0123", "call [phone]"),
])
def test_masks_personal_data(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", [
    "dead-lettered socialcare.messages.received.v1[3]@123456789 from classify",
    "platform message 1861234567890123456 stored",   # a tweet id: digits, no Luhn match
    "due 2026-11-23 at 10:00, retry 2 in 0.25s",
    "event 0b7c1c2e-5d36-4c8b-9c1e-2f4d1a7b9e10",
])
def test_leaves_ids_offsets_and_dates(text: str) -> None:
    assert mask_personal_data(text) == text


def test_filter_masks_arguments_of_a_record() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "customer %s wrote %s", (
        "dana@example.com", "my card is 4111111111111111"), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.getMessage() == "customer [email] wrote my card is [card]"
