"""Language of short, noisy social text: script ranges first, then word profiles."""

import math
import re

from socialcare_classifier.domain.language_profiles import (
    CHAR_CUES,
    LANGUAGES,
    SUFFIX_CUES,
    WORD_WEIGHTS,
)
from socialcare_classifier.domain.text import prepare

UNDETERMINED = "und"
# Below this much evidence a guess is worse than saying "und".
MIN_EVIDENCE = 1.0
TIE_MARGIN = 0.25

_SUFFIXES = sorted(SUFFIX_CUES, key=len, reverse=True)


# Letters of each script, as code point ranges (disjoint). Counting with one C-level regex
# pass per script is several times cheaper than a Python loop over the characters.
_SCRIPT_RES = tuple((script, re.compile(f"[{ranges}]")) for script, ranges in (
    ("latin", "A-Za-z\u00c0-\u024f"),
    ("hangul", "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"),
    ("kana", "\u3040-\u30ff\uff66-\uff9f"),
    ("han", "\u4e00-\u9fff\u3400-\u4dbf"),
    ("cyrillic", "\u0400-\u04ff"),
    ("arabic", "\u0600-\u06ff"),
    ("greek", "\u0370-\u03ff"),
    ("hebrew", "\u0590-\u05ff"),
    ("thai", "\u0e00-\u0e7f"),
))
_NO_SCRIPT = dict.fromkeys((script for script, _ in _SCRIPT_RES), 0)
# The character cues are non-ASCII letters: ASCII-only text needs no look for them.
_ASCII_CUES = any(ch.isascii() for ch in CHAR_CUES)
_SUFFIX_TUPLE = tuple(SUFFIX_CUES)


def _script_counts(text: str) -> dict[str, int]:
    counts = dict(_NO_SCRIPT)
    if text.isascii():  # most messages: only ASCII letters can count
        counts["latin"] = sum(map(str.isalpha, text))
        return counts
    for script, pattern in _SCRIPT_RES:
        counts[script] = len(pattern.findall(text))
    return counts


def _from_script(counts: dict[str, int]) -> tuple[str, float] | None:
    letters = sum(counts.values())
    if letters == 0:
        return None
    cjk = counts["hangul"] + counts["kana"] + counts["han"]
    # Japanese mixes kana with Han; any real share of kana decides it over Chinese.
    if counts["hangul"] and counts["hangul"] >= counts["kana"] + counts["han"] * 0.5:
        return "ko", _script_confidence(counts["hangul"], letters)
    if counts["kana"] >= 1 and counts["kana"] >= cjk * 0.1:
        return "ja", _script_confidence(cjk, letters)
    if counts["han"]:
        if counts["han"] >= counts["latin"] * 0.3:
            return "zh", round(_script_confidence(counts["han"], letters) * 0.9, 3)
        return None
    for script, code in (
        ("cyrillic", "ru"),
        ("arabic", "ar"),
        ("greek", "el"),
        ("hebrew", "he"),
        ("thai", "th"),
    ):
        if counts[script] > counts["latin"]:
            # One script, several languages: Cyrillic may be uk or bg, Arabic may be fa.
            certainty = 0.95 if code in ("el", "th", "he") else 0.6
            return code, round(_script_confidence(counts[script], letters) * certainty, 3)
    return None


def _script_confidence(script_letters: int, letters: int) -> float:
    share = script_letters / letters
    size = 1.0 - math.exp(-script_letters / 3.0)
    return round(min(0.99, share * size), 3)


def _latin_scores(words: tuple[str, ...], lower: str) -> dict[str, float]:
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for word in words:
        owners = WORD_WEIGHTS.get(word)
        if owners:
            for lang, weight in owners:
                scores[lang] += weight
        elif len(word) > 4 and word.endswith(_SUFFIX_TUPLE):
            for suffix in _SUFFIXES:
                if word.endswith(suffix):
                    langs = SUFFIX_CUES[suffix]
                    for lang in langs:
                        scores[lang] += 0.5 / len(langs)
                    break
    for ch, langs in () if lower.isascii() and not _ASCII_CUES else CHAR_CUES.items():
        if ch in lower:
            for lang in langs:
                scores[lang] += 0.8 / len(langs)
    if "ij" in lower:
        scores["nl"] += 0.3
    return scores


def detect_language(text: str, hint: str | None = None) -> tuple[str, float]:
    """ISO 639-1 code and confidence 0..1; ("und", low) when the text says too little."""
    prepared = prepare(text)
    by_script = _from_script(_script_counts(prepared.clean))
    if by_script is not None:
        return by_script
    scores = _latin_scores(prepared.words, prepared.lower)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_EVIDENCE:
        return UNDETERMINED, round(min(0.3, top * 0.3), 3)
    hint_code = (hint or "").split("-")[0].split("_")[0].lower()
    if hint_code in scores and hint_code != best and scores[hint_code] >= top - TIE_MARGIN:
        # The platform's hint only settles near-ties: users often write in another language.
        best, second = hint_code, top
        top = scores[hint_code]
    total = sum(scores.values())
    share = top / total if total else 0.0
    margin = (top - second) / top if top else 0.0
    evidence = 1.0 - math.exp(-top / 2.0)
    confidence = evidence * (0.5 * share + 0.5 * margin)
    if margin <= 0:
        confidence = min(confidence, 0.3)
    return best, round(max(0.05, min(0.99, confidence)), 3)
