"""The shipped language-ID evaluation set and the rule that scores it.

``language_eval.csv`` holds short customer messages the project wrote (no third-party text):
30+ per claimed language, short ones included, Brazilian and European Portuguese tagged
``pt-BR`` / ``pt-PT``, and unclaimed neighbours (Galician, Danish, Norwegian, Romanian,
Indonesian, Finnish) that must come out as ``und`` or their own code, never as a neighbour.
"""

import csv
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from socialcare_classifier.domain.language import CLAIMED_LANGUAGES, UNDETERMINED


@dataclass(frozen=True, slots=True)
class LanguageRow:
    """One labelled message: its gold BCP 47 tag (e.g. ``pt-BR``) and text."""

    tag: str
    text: str

    @property
    def code(self) -> str:
        return self.tag.split("-")[0]


def read_language_set(path: Path | None = None) -> list[LanguageRow]:
    """The shipped set, or any CSV with ``language`` and ``text`` columns."""
    source = path.open(encoding="utf-8", newline="") if path else files(
        "socialcare_classifier.data").joinpath("language_eval.csv").open(
        encoding="utf-8", newline="")
    with source as f:
        return [LanguageRow(r["language"], r["text"]) for r in csv.DictReader(f)]


def is_right(code: str, predicted: str) -> bool:
    """A claimed language must be found; any other may only be itself or undetermined."""
    return predicted == code if code in CLAIMED_LANGUAGES else predicted in (code, UNDETERMINED)
