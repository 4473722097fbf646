"""Features of the trained sentiment stage: hashed word and character n-grams plus cheap cues.

Training (scikit-learn) and serving (pure Python) both read texts through ``extract``, so a
model sees at run time exactly the features it was fitted on. Hashing uses CRC-32, which is
stable across processes and machines (Python's own ``hash`` of a string is salted per run).
"""

import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

from socialcare_classifier.domain.sentiment_lexicon import NEGATORS
from socialcare_classifier.domain.text import prepare

BUCKETS = 1 << 18
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
# A different CRC start value per block keeps the word "ok" and the character pair "ok"
# in different buckets without building prefixed strings for every n-gram.
_WORD_SEED = 0
_CHAR_SEED = 0x5BD1E995

# Durations are what most negative tweets the lexicon calls neutral carry ("94 min hold").
_DURATION_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:\+\s*)?(min|mins|minutes?|hrs?|hours?|days?|weeks?)\b")
_MINUTES = {"m": 1.0, "h": 60.0, "d": 1440.0, "w": 10080.0}
_WAITING_RE = re.compile(r"\b(?:on hold|hold|waiting|waited|wait|still|again|yet)\b")
_URL_RE = re.compile(r"https?://|www\.")

DENSE_FEATURES = (
    "lexicon", "lexicon_negative", "lexicon_positive", "negations", "wait_minutes_log",
    "waiting_words", "exclamations", "questions", "shouted_words", "has_url", "mentions",
    "length_log",
)


@dataclass(frozen=True, slots=True)
class TextFeatures:
    """One text's n-gram buckets per block (present or not) and its dense cues."""

    words: frozenset[int]
    chars: frozenset[int]
    dense: tuple[float, ...]


def _word_buckets(encoded: list[bytes]) -> frozenset[int]:
    crc = zlib.crc32
    mask = BUCKETS - 1
    pairs = [a + b" " + b for a, b in zip(encoded, encoded[1:], strict=False)]
    return frozenset([crc(g, _WORD_SEED) & mask for g in encoded]
                     + [crc(g, _WORD_SEED) & mask for g in pairs])


@lru_cache(maxsize=1 << 16)
def _word_char_buckets(word: bytes) -> frozenset[int]:
    # Within a word padded by spaces, as scikit-learn's char_wb analyzer reads it, so a
    # word's grams depend on the word alone and are cached: most words of a message have
    # been seen before. Over UTF-8 bytes: outside ASCII a gram may hold part of a letter,
    # the same way in training and in serving.
    crc = zlib.crc32
    mask = BUCKETS - 1
    padded = b" " + word + b" "
    size = len(padded)
    low, high = CHAR_NGRAMS
    return frozenset([crc(padded[i:i + n], _CHAR_SEED) & mask
                      for n in range(low, min(high, size) + 1) for i in range(size - n + 1)])


def _char_buckets(encoded: list[bytes]) -> frozenset[int]:
    return frozenset().union(*map(_word_char_buckets, encoded))


def wait_minutes(lower: str) -> float:
    """The longest duration a text mentions, in minutes (0 when none)."""
    return max((float(m.group(1)) * _MINUTES[m.group(2)[0]]
                for m in _DURATION_RE.finditer(lower)), default=0.0)


def dense_cues(text: str, lexicon_total: float) -> tuple[float, ...]:
    """The cheap features, in ``DENSE_FEATURES`` order, each about -1..3 in size."""
    prepared = prepare(text)
    lower = text.lower()
    squashed = lexicon_total / math.sqrt(lexicon_total * lexicon_total + 15.0)
    shouted = sum(1 for w in prepared.cased_words if len(w) > 2 and w.isupper())
    return (
        squashed,
        float(squashed <= -0.15),
        float(squashed >= 0.3),
        min(sum(1 for w in prepared.words if w in NEGATORS), 3) / 3,
        math.log1p(wait_minutes(lower)) / 4,
        min(len(_WAITING_RE.findall(lower)), 3) / 3,
        min(text.count("!"), 4) / 4,
        min(text.count("?"), 4) / 4,
        min(shouted, 4) / 4,
        float(bool(_URL_RE.search(lower))),
        min(text.count("@"), 4) / 4,
        math.log1p(len(prepared.words)) / 4,
    )


def extract(text: str, lexicon_total: float) -> TextFeatures:
    """Hashed n-gram buckets and dense cues of a text; ``lexicon_total`` is the lexicon's raw
    valence sum (``sentiment.score_text``), passed in so classify computes it once."""
    encoded = [w.encode() for w in prepare(text).words]
    return TextFeatures(words=_word_buckets(encoded), chars=_char_buckets(encoded),
                        dense=dense_cues(text, lexicon_total))
