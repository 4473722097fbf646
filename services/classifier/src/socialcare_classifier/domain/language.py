"""Language of short, noisy social text: scripts first, cheap word profiles for the bulk,
lingua (a well-kept language-ID library) when the profiles are unsure."""

import math
import re

from socialcare_classifier.domain.language_library import CLAIMED, library_ranking
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
# The profiles' English at this confidence or more agreed with lingua on every message of the
# evaluation sets: most real traffic stops here at a tenth of lingua's cost.
FAST_CONFIDENCE = 0.5
FAST_LANGUAGES = frozenset({"en"})
# Fewer letters than this say nothing about a language ("ok", "xD").
MIN_LETTERS = 3
# Below this relative confidence, or this ratio to the second best, lingua is guessing.
MIN_LIBRARY_CONFIDENCE = 0.1
MIN_LIBRARY_RATIO = 1.2
PROFILE_WEIGHT = 0.3
IBERIAN = frozenset({"pt", "es", "ca"})
# Lingua knows no Galician: Galician words outweighing the library's pick make it "gl".
GALICIAN = "gl"
SHARED_SCRIPT = frozenset({"ru", "ar"})
# Languages the bench scores and the README lists; others may come out under their own code.
CLAIMED_LANGUAGES = frozenset(CLAIMED) | {"ko", "ja", "zh", "el", "he", "th"}

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
            # One script, several languages: Cyrillic may be uk or bg, Arabic may be fa, so
            # for those two the script only says "ask lingua" (see SHARED_SCRIPT).
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


def _profile_guess(scores: dict[str, float]) -> tuple[str, float, float]:
    """Best language of the word profiles, its confidence and its margin over the second."""
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    total = sum(scores.values())
    share = top / total if total else 0.0
    margin = (top - second) / top if top else 0.0
    evidence = 1.0 - math.exp(-top / 2.0)
    confidence = evidence * (0.5 * share + 0.5 * margin)
    if margin <= 0:
        confidence = min(confidence, 0.3)
    return best, confidence, margin


def _hint_code(hint: str | None) -> str:
    return (hint or "").split("-")[0].split("_")[0].lower()


def _is_galician(scores: dict[str, float], words: tuple[str, ...], best: str) -> bool:
    # "non" is Galician's "no": Portuguese writes "não", Spanish and Catalan "no", so beside
    # an Iberian guess it is Galician evidence (beside French or Italian it is their own word).
    evidence = scores[GALICIAN] + (MIN_EVIDENCE if "non" in words else 0.0)
    if best in IBERIAN:
        return evidence >= MIN_EVIDENCE
    return scores[GALICIAN] >= MIN_EVIDENCE and max(scores, key=scores.__getitem__) == GALICIAN


def _from_library(text: str, hint: str, scores: dict[str, float] | None,
                  words: tuple[str, ...] = ()) -> tuple[str, float]:
    combined = dict(library_ranking(text))
    if scores:
        # Lingua reads letter n-grams; the profiles' function words ("mi", "não") are what a
        # five-word message has most of, so they count beside it.
        total = sum(scores.values()) + 1.0
        for lang, score in scores.items():
            if lang in combined:
                combined[lang] += PROFILE_WEIGHT * score / total
    if not combined:
        return UNDETERMINED, 0.05
    ranked = sorted(combined.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), second = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    if hint and combined.get(hint, 0.0) >= top * (1 - TIE_MARGIN):
        # The platform's hint only settles near-ties: users often write in another language.
        best, top = hint, combined[hint]
    elif top < MIN_LIBRARY_CONFIDENCE or top < second * MIN_LIBRARY_RATIO:
        return UNDETERMINED, round(min(0.3, top), 3)
    if scores and _is_galician(scores, words, best):
        return GALICIAN, round(min(0.9, top), 3)
    return best, round(max(0.05, min(0.99, top)), 3)


def profile_guess(text: str, hint: str | None = None) -> tuple[str, float] | None:
    """The cheap stage's answer when it is sure of it, else None (lingua decides)."""
    prepared = prepare(text)
    counts = _script_counts(prepared.clean)
    if _from_script(counts) is not None or sum(counts.values()) < MIN_LETTERS:
        return None
    best, confidence, _ = _profile_guess(_latin_scores(prepared.words, prepared.lower))
    if best in FAST_LANGUAGES and confidence >= FAST_CONFIDENCE and _hint_code(hint) in ("", best):
        return best, round(min(0.99, confidence), 3)
    return None


def detect_language(text: str, hint: str | None = None) -> tuple[str, float]:
    """ISO 639-1 code and confidence 0..1; ("und", low) when the text says too little."""
    prepared = prepare(text)
    counts = _script_counts(prepared.clean)
    by_script = _from_script(counts)
    if by_script is not None:
        if by_script[0] not in SHARED_SCRIPT:
            return by_script
        return _from_library(prepared.clean, _hint_code(hint), None)
    if sum(counts.values()) < MIN_LETTERS:
        return UNDETERMINED, 0.05
    return profile_guess(text, hint) or _from_library(
        prepared.clean, _hint_code(hint), _latin_scores(prepared.words, prepared.lower),
        prepared.words)
