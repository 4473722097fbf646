"""Agents' corrections of a message's labels: what a valid correction is, and the labelled
example it becomes for training (pure; stored by ``adapters/corrections``).

A correction names only the labels the agent changed; the others keep the classifier's
values. One current correction per message and brand: a later one merges into it, so an
agent can fix the sentiment now and the intents a minute later.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from socialcare_contracts.csv_cells import escape_cell
from socialcare_contracts.intents import DEFAULT_INTENTS

SENTIMENTS = ("negative", "neutral", "positive")
LABELS = ("sentiment", "intents", "language", "category")
# A BCP-47-ish tag: a 2-3 letter language, optional script/region/variant subtags ("pt-BR",
# "zh-Hant", "und"); enough to tell a typo from a language without a registry of tags.
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
# At least one character that is not a space: a category of spaces is stored as "" after
# the strip, a label that names nothing. The length is checked apart (MAX_CATEGORY).
CATEGORY = re.compile(r"^[\w .:-]*[\w.:-][\w .:-]*$")
MAX_CATEGORY = 64
MAX_INTENTS = len(DEFAULT_INTENTS)
# Columns of the export, in the order train-sentiment's --data reads them (text, label).
EXPORT_COLUMNS = ("text", "label", "intents", "language", "brand", "category",
                  "corrected_by", "corrected_at", "message_id")


class InvalidCorrection(ValueError):
    """A label the inbox cannot store; the message says which and why (a 422)."""


@dataclass(frozen=True)
class Labels:
    """Labels an agent set; None is "not corrected" (the classifier's value stands)."""

    sentiment: str | None = None
    intents: tuple[str, ...] | None = None
    language: str | None = None
    category: str | None = None

    def given(self) -> dict[str, Any]:
        """The corrected labels by name, as stored."""
        values = {"sentiment": self.sentiment, "language": self.language,
                  "category": self.category,
                  "intents": list(self.intents) if self.intents is not None else None}
        return {k: v for k, v in values.items() if v is not None}


def validate(sentiment: str | None = None, intents: Iterable[str] | None = None,
             language: str | None = None, category: str | None = None,
             known_intents: Iterable[str] = DEFAULT_INTENTS) -> Labels:
    """The correction as labels, or ``InvalidCorrection`` naming the first bad one."""
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise InvalidCorrection(f"sentiment must be one of {', '.join(SENTIMENTS)}")
    chosen: tuple[str, ...] | None = None
    if intents is not None:
        known = set(known_intents)
        chosen = tuple(dict.fromkeys(intents))  # once each, in the agent's order
        unknown = [i for i in chosen if i not in known]
        if unknown:
            raise InvalidCorrection(f"unknown intent {unknown[0]!r}; the catalog has "
                                    f"{', '.join(sorted(known))}")
        if len(chosen) > MAX_INTENTS:
            raise InvalidCorrection(f"at most {MAX_INTENTS} intents")
    if language is not None and not LANGUAGE.match(language):
        raise InvalidCorrection("language must be a BCP 47 tag such as en, pt-BR or und")
    if category is not None and (len(category) > MAX_CATEGORY
                                 or not CATEGORY.match(category)):
        raise InvalidCorrection("category must be 1-64 letters, digits, spaces or _ . : -, "
                                "not only spaces")
    labels = Labels(sentiment, chosen,
                    _canonical_language(language) if language else None,
                    category.strip() if category else None)
    if not labels.given():
        raise InvalidCorrection(f"correct at least one of {', '.join(LABELS)}")
    return labels


def _canonical_language(tag: str) -> str:
    """``pt-br`` and ``pt-BR`` are one language: the primary subtag lowercase, a region
    uppercase, as BCP 47 writes them."""
    first, *rest = tag.split("-")
    return "-".join([first.lower(), *(p.upper() if len(p) == 2 else p for p in rest)])


def original_labels(classification: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the classifier said, in the correction's terms (kept beside the correction)."""
    c = classification or {}
    categories = list(c.get("categories") or ())
    return {"sentiment": (c.get("sentiment") or {}).get("label"),
            "intents": list(c.get("intents") or ()), "language": c.get("language"),
            "category": categories[0] if categories else None,
            "decided_by": dict(c.get("decided_by") or {})}


def correction_id(brand_account: str, message_id: str) -> str:
    """One current correction per message: brand first, so a brand's ids sort together."""
    return f"{brand_account.lower()}|{message_id}"


def effective(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored correction's labels with the classifier's where the agent changed none."""
    original = stored.get("original") or {}
    corrected = stored.get("labels") or {}
    return {name: corrected.get(name, original.get(name)) for name in LABELS}


def example(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A stored correction as a labelled training row (EXPORT_COLUMNS). ``label`` is the
    sentiment only when the agent set it: a sentiment nobody looked at is no label."""
    labels = effective(stored)
    at = stored.get("corrected_at")
    return {"text": stored.get("text", ""),
            "label": (stored.get("labels") or {}).get("sentiment") or "",
            "intents": labels["intents"] or [], "language": labels["language"] or "",
            "brand": stored.get("brand_account", ""), "category": labels["category"] or "",
            "corrected_by": stored.get("corrected_by", ""),
            "corrected_at": at.isoformat() if hasattr(at, "isoformat") else str(at or ""),
            "message_id": stored.get("message_id", "")}


def csv_row(row: Mapping[str, Any]) -> list[str]:
    """An export row for CSV: intents joined by ';' (a CSV cell holds no list), every cell
    escaped so that a spreadsheet does not run a customer's ``=...`` (the classifier's
    readers undo it)."""
    return [escape_cell(";".join(row[c]) if c == "intents" else str(row[c]))
            for c in EXPORT_COLUMNS]
