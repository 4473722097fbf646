"""Measuring and splitting reply text the way each platform counts it.

Shared by the responder (which plans what it sends) and the inbox (which shows agents the
count before they send), so both count the same way.

"weighted" is X's rule (twitter-text v3): code points in the Latin, Cyrillic and general
punctuation ranges weigh 1, everything else (CJK, emoji, ...) weighs 2, an emoji sequence
joined by ZWJ or modified by a skin tone or variation selector counts once, and every URL
counts 23 whatever its length. "codepoints" counts code points.
"""

import re
import unicodedata
from dataclasses import dataclass

URL_WEIGHT = 23
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# Parts of an emoji sequence that add nothing to the weight of the emoji they modify.
_JOINERS = frozenset({0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)})
_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)


def _char_weight(char: str, previous: str | None) -> int:
    point = ord(char)
    if point in _JOINERS and previous is not None:
        return 0
    if previous == "\u200d":  # the emoji after a ZWJ belongs to the sequence before it
        return 0
    return 1 if any(lo <= point <= hi for lo, hi in _LIGHT_RANGES) else 2


def _plain_weight(text: str) -> int:
    total, previous = 0, None
    for char in text:
        total += _char_weight(char, previous)
        previous = char
    return total


def weighted_length(text: str, counting: str = "weighted") -> int:
    """The length a platform sees: X's weighted count, or code points for anything else."""
    text = unicodedata.normalize("NFC", text)
    if counting != "weighted":
        return len(text)
    total, position = 0, 0
    for url in _URL.finditer(text):
        total += _plain_weight(text[position:url.start()]) + URL_WEIGHT
        position = url.end()
    return total + _plain_weight(text[position:])


@dataclass(frozen=True)
class PlatformLimits:
    reply: int
    direct_message: int
    counting: str


# The limits the gateways enforce (services/gateways x.py, meta.py, and sandbox.py for the
# API channel, read them from here); the inbox shows them before sending.
LIMITS = {
    "x": PlatformLimits(280, 10_000, "weighted"),
    "facebook": PlatformLimits(8_000, 2_000, "codepoints"),
    "instagram": PlatformLimits(8_000, 2_000, "codepoints"),
    "api": PlatformLimits(280, 10_000, "codepoints"),
}


def limits_of(platform: str) -> PlatformLimits:
    """The platform's limits; an unknown platform gets the API channel's."""
    return LIMITS.get(platform, LIMITS["api"])


def split_thread(text: str, limit: int, counting: str = "weighted") -> list[str]:
    """Splits at word boundaries into numbered parts (" 1/3") that each fit ``limit``."""
    if weighted_length(text, counting) <= limit:
        return [text]
    words = text.split()
    guess = 2
    while True:
        suffix_room = weighted_length(f" {guess}/{guess}", counting)
        parts = _pack(words, limit - suffix_room, counting)
        if len(parts) <= guess:
            return [f"{part} {i}/{len(parts)}" for i, part in enumerate(parts, 1)]
        guess = len(parts)


def _pack(words: list[str], budget: int, counting: str) -> list[str]:
    if budget < 1:
        raise ValueError("limit too small to number the parts")
    parts: list[str] = []
    current = ""
    for word in words:
        for piece in _fit(word, budget, counting):
            candidate = f"{current} {piece}" if current else piece
            if weighted_length(candidate, counting) <= budget:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def _fit(word: str, budget: int, counting: str) -> list[str]:
    """A word longer than a whole part is cut by characters (URLs never are: they weigh 23)."""
    if weighted_length(word, counting) <= budget:
        return [word]
    pieces, current = [], ""
    for char in word:
        if weighted_length(current + char, counting) > budget:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces
