"""Near-duplicate grouping: messages to one brand that say the same thing.

Pure rules, no I/O. A message's text is normalised (case, links, handles, punctuation
gone; words kept, codes such as SAVE20 too) and cut into character 4-grams of its words,
so "promo code doesnt work" and "the promo-code isn't working" share most of them. A
MinHash signature of those (datasketch, a well-kept library) estimates the Jaccard
similarity of two messages; locality-sensitive hashing cuts the signature into bands, and
messages sharing a band are candidates. A message joins the cluster it shares the most
bands with (at least ``MIN_BANDS``, which keeps chance collisions out), else it starts one.
With 16 bands of 2 rows, messages about 25 % similar or more meet in some band.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash

NUM_PERM = 32
BANDS = 16
ROWS = NUM_PERM // BANDS
MIN_BANDS = 2
MIN_SHINGLES = 6  # "ok" or "thanks" says nothing a cluster could answer
SHINGLE = 4
SEED = 20261203  # every worker must draw the same permutations

_LINKS = re.compile(r"https?://\S+|www\.\S+")
_HANDLES = re.compile(r"[@#]\w+")
_NON_WORD = re.compile(r"[^\w]+")
_APOSTROPHE = re.compile(r"['’]")


def normalise(text: str) -> str:
    text = _LINKS.sub(" ", text.lower())
    text = _HANDLES.sub(" ", text)
    text = _APOSTROPHE.sub("", text)  # "isn't" and "isnt" are one word
    return " ".join(_NON_WORD.sub(" ", text).split())


def shingles(text: str) -> set[str]:
    """Character 4-grams of each word (a short word is one shingle of its own)."""
    out: set[str] = set()
    for word in normalise(text).split():
        if len(word) <= SHINGLE:
            out.add(word)
        else:
            out.update(word[i:i + SHINGLE] for i in range(len(word) - SHINGLE + 1))
    return out


def band_keys(text: str) -> list[str]:
    """The message's LSH band keys; empty when the text is too short to group."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return []
    signature = MinHash(num_perm=NUM_PERM, seed=SEED)
    signature.update_batch([g.encode() for g in grams])
    values = np.asarray(signature.hashvalues, dtype=np.uint64)
    return [f"{band}:{_digest(values[band * ROWS:(band + 1) * ROWS].tobytes())}"
            for band in range(BANDS)]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def choose(keys: Iterable[str], cluster_of_band: dict[str, str]) -> str | None:
    """The cluster this message shares the most bands with, if it shares enough."""
    shared = Counter(cluster_of_band[k] for k in keys if k in cluster_of_band)
    if not shared:
        return None
    cluster, bands = max(shared.items(), key=lambda item: (item[1], item[0]))
    return cluster if bands >= MIN_BANDS else None


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two texts' shingles (for tests and the benchmark)."""
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x | y else 0.0
