"""What personal data looks like: the patterns and checks shared by every detector.

The classifier flags messages that belong in a DM and the log filter masks what slips
into log lines; both need the same idea of an e-mail address, a payment card and a date.
"""

import re

EMAIL_RE = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}\b")
# 13-19 digits, optionally grouped by spaces or dashes; a Luhn check decides.
CARD_RE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Dates look like phone numbers to a phone pattern.
DATE_RE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}")
PHONE_DIGITS = range(8, 16)


def luhn_valid(digits: str) -> bool:
    """Luhn checksum of a digit string, as every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_card_number(candidate: str) -> bool:
    """True when a CARD_RE match is 13-19 digits with a valid Luhn checksum."""
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and luhn_valid(digits)
