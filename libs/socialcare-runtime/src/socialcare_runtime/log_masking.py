"""A logging filter that masks e-mail addresses, phone and payment card numbers.

Log lines must not carry personal data; this catches what slips into a message or its
arguments (an exception text quoting a customer's input, say). The patterns are the log
side of the classifier's private-data finder, kept here because the runtime must not
depend on a service: cards need a valid Luhn checksum and phones need a ``+`` or
separators, so plain numeric ids, offsets and dates stay readable.
"""

import logging
import re

_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}"
    r"|(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4})(?!\w)")
_DATE = re.compile(r"^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4})$")
PHONE_DIGITS = range(8, 16)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    return "[card]" if _luhn_valid(re.sub(r"\D", "", match.group())) else match.group()


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(ch.isdigit() for ch in text)
    return "[phone]" if digits in PHONE_DIGITS and not _DATE.match(text) else text


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, payment card and phone numbers replaced by a tag."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_card, text)
    return _PHONE.sub(_phone, text)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in each record's message (formatted with its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
