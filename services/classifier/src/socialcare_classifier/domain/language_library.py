"""Lingua, the language-ID library, for the messages the cheap word profiles are unsure of.

Its detectors are built once per process and restricted to chosen languages: a language left
out is not "unknown" to lingua but silently given to its nearest neighbour in the set, so the
set holds the languages we claim plus neighbours we do not claim (reported under their own
code), so that Danish does not come out as Swedish nor Romanian as Italian.

Memory decides the shape. Lingua's high-accuracy models (1- to 5-grams) cost about 25 MiB per
language, its low-accuracy ones (trigrams) about 1.5 MiB but they are weak on short texts. So
a low-accuracy detector over every language picks the family, and a high-accuracy one over
the eleven that short messages confuse most (Iberian, Romance, Germanic) settles between them:
0.973 on the shipped set and 0.950 on held-out real texts (bench.language_eval), the process at
about 365 MiB, where high accuracy for all gives 0.988 at 607 MiB (over the classifier's
512 MiB Kubernetes limit).
"""

from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

# Claimed languages that share a script with others (the rest are told by their script).
# Hungarian and Persian were claimed in issue 16: lingua gets them right on held-out real text
# (0.975, 0.988) and on the shipped set, and no language lingua is not asked about resembles
# them. Finnish is not: two- and three-word messages go to Estonian (0.90 on the shipped set).
CLAIMED: tuple[str, ...] = ("en", "es", "fr", "de", "pt", "it", "nl", "ca", "pl", "tr", "sv",
                            "ru", "uk", "ar", "hu", "fa")
# Neighbours of claimed languages, detected so they are not mistaken for one; not claimed.
# Without the second line, Slovak, Slovenian, Croatian, Hungarian, Finnish and Basque came
# out as a claimed language or Czech almost every time (catalog set: 0.50 of unclaimed right,
# 0.86 with them). Lingua's other languages stay out: each more costs time on every message,
# and exotic ones (Latin, Tagalog, Esperanto, Shona...) took claimed texts (0.94 -> 0.90).
NEIGHBOURS: tuple[str, ...] = ("ro", "da", "nb", "id", "bg", "cs",
                               "sk", "sl", "hr", "fi", "et", "lv", "lt", "eu")
# Settled again by the high-accuracy detector when the wide one ranks them first.
REFINED: tuple[str, ...] = ("en", "es", "pt", "ca", "fr", "it", "de", "nl", "sv", "da", "nb")
# A wide guess this sure is kept without the refining pass: that saves about a third of
# lingua's time per message and loses, on the shipped set, one message of 655.
WIDE_SURE = 0.9
# Longer texts add cost and no accuracy: the first this-many characters decide.
MAX_CHARS = 160


def _languages(codes: tuple[str, ...]) -> list[Language]:
    return [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]


@cache
def wide_detector() -> LanguageDetector:
    """Low-accuracy detector over every language we detect (built once, on first use)."""
    return (LanguageDetectorBuilder.from_languages(*_languages((*CLAIMED, *NEIGHBOURS)))
            .with_low_accuracy_mode().build())


@cache
def refining_detector() -> LanguageDetector:
    """High-accuracy detector over REFINED only (built once, on first use)."""
    return LanguageDetectorBuilder.from_languages(*_languages(REFINED)).build()


# Lingua loads a language's models the first time a text needs them, a few seconds in all.
# One text per script loads them all (lingua's own preloading loads more: 400 MiB, not 350),
# so that a worker which calls this at start never pauses mid-stream.
_WARM_UP_TEXTS = ("where is my order", "где мой заказ", "أين طلبي")


def preload() -> None:
    """Builds both detectors and loads their models now, e.g. when a worker starts."""
    for text in _WARM_UP_TEXTS:
        library_ranking(text)


def _ranking(detector: LanguageDetector, text: str) -> list[tuple[str, float]]:
    return [(v.language.iso_code_639_1.name.lower(), v.value)
            for v in detector.compute_language_confidence_values(text) if v.value > 0]


def library_ranking(text: str) -> list[tuple[str, float]]:
    """(ISO 639-1 code, relative confidence) pairs, best first; empty when lingua abstains."""
    text = text[:MAX_CHARS]
    wide = _ranking(wide_detector(), text)
    if not wide or wide[0][0] not in REFINED or wide[0][1] >= WIDE_SURE:
        return wide
    # The refined languages share the mass the wide detector gave them, as the finer models
    # divide it; the others keep theirs, so a close Romanian or Polish still counts.
    refined_mass = sum(value for code, value in wide if code in REFINED)
    ranking = [(code, value * refined_mass) for code, value in _ranking(refining_detector(), text)]
    ranking += [(code, value) for code, value in wide if code not in REFINED]
    return sorted(ranking, key=lambda cv: cv[1], reverse=True)
