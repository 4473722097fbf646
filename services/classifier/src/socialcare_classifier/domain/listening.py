"""Brand listening: which configured keywords a message mentions, however it spells them."""

import re
from functools import lru_cache

from socialcare_classifier.domain.fuzzy import FuzzyIndex
from socialcare_classifier.domain.text import prepare, tagged_tokens

Keywords = tuple[tuple[str, tuple[str, ...]], ...]
MIN_TAG_PREFIX = 4


class _Matcher:
    """Plain words in a fuzzy index; phrases, codes and handles as whole-word patterns."""

    def __init__(self, keywords: Keywords):
        singles: list[tuple[str, str]] = []
        phrases: list[tuple[str, re.Pattern[str]]] = []
        for canonical, spellings in keywords:
            for spelling in (canonical, *spellings):
                spelling = spelling.lower()
                # Product codes ("rb2000") and handles ("acme_support") are not plain words.
                if not spelling.isalpha():
                    words = r"[\s_-]+".join(re.escape(w) for w in spelling.split())
                    phrases.append((canonical, re.compile(rf"(?<!\w){words}(?!\w)")))
                else:
                    singles.append((spelling, canonical))
        self.words = FuzzyIndex(singles, min_fuzzy_len=5)
        self.phrases = tuple(phrases)
        # Handles and hashtags glue words together (@AcmeHelp, #acmefail): match their start.
        self.prefixes = tuple(
            sorted(
                ((s, c) for s, c in singles if len(s) >= MIN_TAG_PREFIX),
                key=lambda sc: len(sc[0]),
                reverse=True,
            )
        )


@lru_cache(maxsize=16)
def _matcher(keywords: Keywords) -> _Matcher:
    return _Matcher(keywords)


def match_keywords(text: str, keywords: Keywords) -> tuple[str, ...]:
    """Canonical keywords mentioned in text, in configuration order, each once."""
    if not keywords:
        return ()
    matcher = _matcher(keywords)
    found: set[str] = set()
    prepared = prepare(text)
    for word in prepared.words:
        # Possessives ("Acme's") name the brand as much as the bare word does.
        hit = matcher.words.get(word[:-2] if word.endswith("'s") else word)
        if hit is not None:
            found.add(hit)
    for tag in tagged_tokens(text):
        hit = matcher.words.get(tag)
        if hit is None:
            hit = next((c for s, c in matcher.prefixes if tag.startswith(s)), None)
        if hit is not None:
            found.add(hit)
    lowered = text.lower()
    for canonical, pattern in matcher.phrases:
        if canonical not in found and pattern.search(lowered):
            found.add(canonical)
    return tuple(c for c, _ in keywords if c in found)
