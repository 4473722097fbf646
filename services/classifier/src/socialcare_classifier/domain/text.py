"""Text preparation shared by every classifier step: noise removal and word splitting."""

import re
from dataclasses import dataclass
from functools import lru_cache

URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE_RE = re.compile(r"(?<![\w@])@\w{1,50}")
# Letters with inner apostrophes ("don't", "l'app"), digits and underscores splitting words,
# plus the punctuation that ends a clause, so negation can stop where the clause does.
TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[.!?;:,\n]")
PUNCTUATION = frozenset(".!?;:,\n")
CLAUSE_BREAK = "|"
# Handles and hashtags keep their sigil so listening can treat them as whole tokens.
TAGGED_RE = re.compile(r"[@#](\w{1,60})")


@dataclass(frozen=True, slots=True)
class PreparedText:
    """One message's text in the forms the steps need, computed once."""

    raw: str
    clean: str
    lower: str
    words: tuple[str, ...]
    cased_words: tuple[str, ...]
    tokens: tuple[str, ...]


def strip_noise(text: str) -> str:
    """Drop URLs and @handles and keep hashtag words without their '#'."""
    text = URL_RE.sub(" ", text)
    text = HANDLE_RE.sub(" ", text)
    return text.replace("#", " ")


@lru_cache(maxsize=512)
def prepare(text: str) -> PreparedText:
    """Split a message once; cached because classify runs several steps on one text."""
    clean = strip_noise(text)
    lower = clean.lower()
    raw_tokens = [m.group(0).replace("’", "'") for m in TOKEN_RE.finditer(clean)]
    cased = tuple(t for t in raw_tokens if t not in PUNCTUATION)
    return PreparedText(
        raw=text,
        clean=clean,
        lower=lower.replace("’", "'"),
        words=tuple(w.lower() for w in cased),
        cased_words=cased,
        tokens=tuple(CLAUSE_BREAK if t in PUNCTUATION else t.lower() for t in raw_tokens),
    )


def tagged_tokens(text: str) -> list[str]:
    """Lowercased @handle and #hashtag bodies, URLs excluded."""
    return [m.group(1).lower() for m in TAGGED_RE.finditer(URL_RE.sub(" ", text))]
