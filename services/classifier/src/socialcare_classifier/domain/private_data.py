"""Personal data in public messages: emails, phones, payment cards and order numbers.

Finding them says "move this conversation to a DM"; masking keeps them out of logs.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from socialcare_classifier.domain.rules import DEFAULT_ORDER_PATTERNS

EMAIL = "email"
PHONE = "phone"
PAYMENT_CARD = "payment_card"
ORDER_NUMBER = "order_number"

_EMAIL_RE = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}\b")
_CARD_RE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}(?!\w)"
)
_DIGIT_RE = re.compile(r"\d")
_PHONE_DIGITS = (8, 15)
# Dates look like phone numbers to the pattern above.
_DATE_RE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}")


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of private data and where it is in the text."""

    kind: str
    start: int
    end: int


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
        for m in _EMAIL_RE.finditer(text):
            add(EMAIL, m.start(), m.end())
    if not _DIGIT_RE.search(text):
        return findings
    for m in _CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            add(PAYMENT_CARD, m.start(), m.end())
    # Order numbers before phones: "order 55512345" is an order, not a phone.
    for pattern in _order_res(order_patterns):
        for m in pattern.finditer(text):
            add(ORDER_NUMBER, m.start(), m.end())
    for m in _PHONE_RE.finditer(text):
        digits = sum(ch.isdigit() for ch in m.group(0))
        has_separator = any(ch in " .-()+" for ch in m.group(0))
        if _DATE_RE.fullmatch(m.group(0)):
            continue
        if _PHONE_DIGITS[0] <= digits <= _PHONE_DIGITS[1] and (has_separator or digits >= 10):
            add(PHONE, m.start(), m.end())
    findings.sort(key=lambda f: f.start)
    return findings


def has_private_data(text: str, order_patterns: tuple[str, ...] = DEFAULT_ORDER_PATTERNS) -> bool:
    """Whether the message holds personal data that belongs in a direct message."""
    return bool(find_private_data(text, order_patterns))


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
    findings = find_private_data(text, order_patterns)
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
