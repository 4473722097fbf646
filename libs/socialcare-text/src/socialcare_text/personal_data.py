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
# Digit runs that look like phones or cards but are not personal data. Web addresses carry
# item, product and status numbers (with or without a scheme: "bestbuy.com/site/6009695.p").
URL_PART_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}/\S*", re.IGNORECASE)
IPV4_RE = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}"
                     r"(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])")
# Dotted version and build numbers: "iOS 11.1.2", "build 15063.674", "11.1770.14393.0". A
# phone written with dots keeps its groups to 2-4 digits, so a 5-digit group is a version.
VERSION_RE = re.compile(
    r"(?i)(?:\b(?:v|ver|version|build|ios|android|windows|firmware|update|app)\.?\s?)"
    r"\d+(?:\.\d+)+|(?<![\w.])\d+(?:\.\d+)*\.\d{5,}(?:\.\d+)*(?![\w.])"
    r"|(?<![\w.])\d+\.\d{5,}(?![\w.])")


def not_personal_spans(text: str) -> list[tuple[int, int]]:
    """Where URLs, IP addresses and version numbers are: no phone or card is inside them."""
    return [m.span() for pattern in (URL_PART_RE, IPV4_RE, VERSION_RE)
            for m in pattern.finditer(text)]


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
