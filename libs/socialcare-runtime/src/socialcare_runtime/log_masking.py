"""A logging filter that masks e-mail addresses, phone and payment card numbers.

Log lines must not carry personal data; this catches what slips into a message or its
arguments (an exception text quoting a customer's input, say). E-mail, card and date
patterns come from ``personal_data`` (shared with the classifier); cards need a valid
Luhn checksum and phones need a ``+`` or separators, so plain numeric ids, offsets and
dates stay readable.
"""

import logging
import re

from socialcare_text.personal_data import (
    CARD_RE,
    DATE_RE,
    EMAIL_RE,
    PHONE_DIGITS,
    is_card_number,
)

# Stricter than the classifier's phones: a ``+`` or separators are required, so plain
# numeric ids and offsets in log lines stay readable.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}"
    r"|(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4})(?!\w)")


def _card(match: re.Match[str]) -> str:
    return "[card]" if is_card_number(match.group()) else match.group()


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(ch.isdigit() for ch in text)
    return "[phone]" if digits in PHONE_DIGITS and not DATE_RE.fullmatch(text) else text


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, payment card and phone numbers replaced by a tag."""
    text = EMAIL_RE.sub("[email]", text)
    text = CARD_RE.sub(_card, text)
    return _PHONE.sub(_phone, text)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in each record's message (formatted with its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
