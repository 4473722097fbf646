"""Lingua, the language-ID library, for the messages the cheap word profiles are unsure of.

Its detector is built once per process and restricted to a chosen set of languages: every
language costs memory, and a language left out of the set is not "unknown" to lingua but
silently given to its nearest neighbour in the set. So the set holds the languages we claim
plus neighbours we do not claim (reported under their own code), so that Danish does not come
out as Swedish nor Romanian as Italian.
"""

from functools import cache

from lingua import (
    ConfidenceValue,
    IsoCode639_1,
    Language,
    LanguageDetector,
    LanguageDetectorBuilder,
)

# Claimed languages that share a script with others (the rest are told by their script).
CLAIMED: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it", "nl", "ca", "pl", "tr", "sv",
                            "ru", "uk", "ar")
# Neighbours of claimed languages, detected so they are not mistaken for one; not claimed.
NEIGHBOURS: tuple[str, ...] = ("ro", "da", "nb", "id", "fa", "bg", "cs")
# Longer texts add cost and no accuracy: the first this-many characters decide.
MAX_CHARS = 160


@cache
def library_detector() -> LanguageDetector:
    """The process's one lingua detector (slow to build, so built on first use only)."""
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                 for code in (*CLAIMED, *NEIGHBOURS)]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def library_ranking(text: str) -> list[tuple[str, float]]:
    """(ISO 639-1 code, relative confidence) pairs, best first; empty when lingua abstains."""
    values: list[ConfidenceValue] = library_detector().compute_language_confidence_values(
        text[:MAX_CHARS])
    return [(v.language.iso_code_639_1.name.lower(), v.value) for v in values if v.value > 0]
