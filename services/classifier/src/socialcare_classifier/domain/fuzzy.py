"""Edit-distance-1 word lookup, built once per vocabulary so matching stays a dict probe."""

from collections.abc import Iterable, Mapping


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or neighbour swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            i = diff[0]
            return a[i] == b[i + 1] and a[i + 1] == b[i]
        return len(diff) == 1
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_MAX_MISSES = 50_000


class FuzzyIndex:
    """Maps words (exactly, or within one edit when long enough) to their values.

    A swap of neighbouring letters ("refnud") counts as one edit, as typists make it as one.

    Symmetric deletes: a word and a vocabulary entry one edit apart always share a
    one-character deletion, so a lookup probes a few dict keys instead of every entry.
    """

    __slots__ = ("_exact", "_deletes", "_min_fuzzy_len", "_real_words", "_misses")

    def __init__(
        self,
        vocabulary: Mapping[str, str] | Iterable[tuple[str, str]],
        min_fuzzy_len: int = 5,
        real_words: frozenset[str] = frozenset(),
    ):
        items = vocabulary.items() if isinstance(vocabulary, Mapping) else vocabulary
        self._exact: dict[str, str] = {}
        self._deletes: dict[str, list[tuple[str, str]]] = {}
        self._min_fuzzy_len = min_fuzzy_len
        self._real_words = real_words
        # Most words are in no vocabulary; remembering them skips the delete probes next time.
        self._misses: set[str] = set()
        for word, value in items:
            self._exact.setdefault(word, value)
            if len(word) >= min_fuzzy_len:
                for key in _deletes(word) | {word}:
                    self._deletes.setdefault(key, []).append((word, value))

    def get(self, word: str) -> str | None:
        """The value of word, or of a vocabulary entry within one edit of it."""
        hit = self._exact.get(word)
        if hit is not None or len(word) < self._min_fuzzy_len or word in self._real_words:
            return hit
        if word in self._misses:
            return None
        for key in (word, *_deletes(word)):
            for entry, value in self._deletes.get(key, ()):
                if within_one_edit(word, entry):
                    return value
        if len(self._misses) >= _MAX_MISSES:
            self._misses.clear()
        self._misses.add(word)
        return None
