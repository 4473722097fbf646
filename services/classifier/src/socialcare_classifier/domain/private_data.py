"""Personal data in public messages: emails, phones, payment cards and order numbers.

Finding them says "move this conversation to a DM"; masking keeps them out of logs.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from socialcare_classifier.domain.rules import DEFAULT_ORDER_PATTERNS
from socialcare_classifier.domain.text import HANDLE_RE
from socialcare_text.personal_data import (
    CARD_RE,
    DATE_RE,
    EMAIL_RE,
    PHONE_DIGITS,
    is_card_number,
    not_personal_spans,
)

EMAIL = "email"
PHONE = "phone"
PAYMENT_CARD = "payment_card"
ORDER_NUMBER = "order_number"

# Not inside a longer hyphenated number: "978-3-16-148410-0" (an ISBN) holds no phone.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?<!\d-)(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}"
    r"(?:[\s.-]?\d{2,4}){1,4}(?!\w|-\d)"
)
_DIGIT_RE = re.compile(r"\d")
# A number labelled as an item, case, device or error identifier ("DPCI 030-02-8711", "case
# ID PP-006-234-348-863", "IMEI 356938035643809") is neither a phone nor a card, whatever its
# digit groups look like: IMEIs and barcodes even pass the cards' Luhn check.
_ID_LABEL_RE = re.compile(
    r"(?i)\b(?:dpci|sku|item|model|part|serial|case|ticket|ref|reference|id|code|error"
    r"|tracking|invoice|imei|upc|ean|isbn|asin|barcode|lot|batch|receipt|zip|postcode)\b"
    r"[\s#:.°-]*(?:(?:is|no\.?|number)\s*)?(?:[a-z]{1,4}-)?$")


def _mixes_dots(candidate: str) -> bool:
    # "415.555.0143" is a phone; dots beside spaces or dashes ("129.128 12") are figures.
    return "." in candidate and any(ch in candidate for ch in " -")


def _labelled_id(text: str, start: int) -> bool:
    return _ID_LABEL_RE.search(text, max(0, start - 24), start) is not None


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of private data and where it is in the text."""

    kind: str
    start: int
    end: int


@lru_cache(maxsize=16)
def _order_res(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _free(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return all(span[1] <= s or span[0] >= e for s, e in taken)


def find_private_data(
    text: str, order_patterns: tuple[str, ...] = DEFAULT_ORDER_PATTERNS
) -> list[Finding]:
    """Every email, card, order number and phone number in text, without overlaps."""
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if _free((start, end), taken):
            taken.append((start, end))
            findings.append(Finding(kind, start, end))

    if "@" in text:
        for m in EMAIL_RE.finditer(text):
            add(EMAIL, m.start(), m.end())
    if not _DIGIT_RE.search(text):
        return findings
    # URLs, IP addresses, version numbers and @handles hold digits that are nobody's phone or
    # card (twcs anonymises authors as "@115712"); taken, they leave nothing for the rest.
    taken.extend(not_personal_spans(text))
    taken.extend(m.span() for m in HANDLE_RE.finditer(text))
    for m in CARD_RE.finditer(text):
        if is_card_number(m.group(0)) and not _labelled_id(text, m.start()):
            add(PAYMENT_CARD, m.start(), m.end())
    # Order numbers before phones: "order 55512345" is an order, not a phone.
    for pattern in _order_res(order_patterns):
        for m in pattern.finditer(text):
            add(ORDER_NUMBER, m.start(), m.end())
    for m in _PHONE_RE.finditer(text):
        digits = sum(ch.isdigit() for ch in m.group(0))
        has_separator = any(ch in " .-()+" for ch in m.group(0))
        if (DATE_RE.fullmatch(m.group(0)) or _mixes_dots(m.group(0))
                or _labelled_id(text, m.start())):
            continue
        if digits in PHONE_DIGITS and (has_separator or digits >= 10):
            add(PHONE, m.start(), m.end())
    findings.sort(key=lambda f: f.start)
    return findings


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[0]}***@{domain}"


def _mask_card(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "**** **** **** " + digits[-4:]


def _mask_keep_tail(value: str, keep: int) -> str:
    # Keeps separators so an agent still recognises the shape of what was there.
    digits_seen = 0
    total = sum(ch.isalnum() for ch in value)
    out = []
    for ch in value:
        if ch.isalnum():
            digits_seen += 1
            out.append(ch if digits_seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _mask_order(value: str) -> str:
    # The leading word ("order #") stays readable; only the identifier is hidden.
    m = re.search(r"[A-Za-z0-9-]*\d[A-Za-z0-9-]*$", value)
    if not m:
        return _mask_keep_tail(value, 3)
    return value[: m.start()] + _mask_keep_tail(m.group(0), 3)


_MASKERS = {
    EMAIL: _mask_email,
    PAYMENT_CARD: _mask_card,
    PHONE: lambda v: _mask_keep_tail(v, 2),
    ORDER_NUMBER: _mask_order,
}


def mask(text: str, order_patterns: tuple[str, ...] = DEFAULT_ORDER_PATTERNS) -> str:
    """Text with every piece of private data masked, safe to log."""
    return mask_findings(text, find_private_data(text, order_patterns))


def mask_findings(text: str, findings: list[Finding]) -> str:
    """Text with the given findings (from ``find_private_data``) masked."""
    if not findings:
        return text
    parts: list[str] = []
    cursor = 0
    for f in findings:
        parts.append(text[cursor : f.start])
        parts.append(_MASKERS[f.kind](text[f.start : f.end]))
        cursor = f.end
    parts.append(text[cursor:])
    return "".join(parts)
