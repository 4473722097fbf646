"""Inbox search, the pure part: what a query means and how a match is shown.

A query is its words (letters and digits; everything else separates them, as the index's
tokenizer does), compared case- and accent-insensitively. Every word must match, and a
word may be the start of a longer one ("refun" finds "refund"), so an agent can search
as they type. A query without a letter or digit matches nothing. The backends turn the
words into their own syntax from here, so both read a query the same way.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
SNIPPET_CHARS = 140
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]


@dataclass(frozen=True)
class MessageMatch:
    """The newest matching message of one conversation, as a backend found it."""

    conversation_id: str
    message_key: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) of each matching word in text


def fold(word: str) -> str:
    """A word as the index compares it: lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_query(q: str) -> SearchQuery:
    """The distinct words of ``q``, folded; the first MAX_WORDS of them, which bounds what
    one search costs (the answer names the words it searched for)."""
    # Split again once folded: folding may turn one character into several ("¼" is "1⁄4"),
    # and only letters and digits may reach a backend.
    words = dict.fromkeys(p for w in _WORD.findall(q) for p in _WORD.findall(fold(w)))
    return SearchQuery(tuple(words)[:MAX_WORDS])


def fts5_match(query: SearchQuery) -> str:
    """An FTS5 MATCH expression: every word, each as a prefix.

    Words hold only letters and digits, so quoting each one is enough to keep FTS5's
    operators (AND, NEAR, column filters) out of what a user typed.
    """
    return " ".join(f'"{word}"*' for word in query.words)


def mongo_text_search(query: SearchQuery) -> str:
    """A ``$text`` ``$search`` string that needs every word (each quoted, so all must match)."""
    return " ".join(f'"{word}"' for word in query.words)


def snippet(text: str, query: SearchQuery, width: int = SNIPPET_CHARS) -> Snippet:
    """Up to ``width`` characters of ``text`` around its first matching word, with the
    place of each matching word in it (the page marks them without parsing any markup)."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)
             if fold(m.group()).startswith(query.words)]
    start = 0
    if spans and len(text) > width:
        # Some words before the first match give it context; start at a word boundary.
        start = max(0, spans[0][0] - width // 4)
        while 0 < start < spans[0][0] and not text[start - 1].isspace():
            start += 1
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    marks = tuple((s + shift, min(e, end) + shift) for s, e in spans if start <= s < end)
    return Snippet(f"{prefix}{text[start:end]}{suffix}", marks)
