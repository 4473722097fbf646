"""A held-out language-ID set of real short texts: the system's own translation catalogs.

The shipped set was written by the project with the detector in view; translators' strings
were not, so no choice was made on them. A Debian machine holds them as gettext catalogs
(``/usr/share/locale/<locale>/LC_MESSAGES/*.mo``, mostly GPL): they are read where they
are, never copied into the repository, and the set is empty where they are absent.

Only prose is kept: 3 to 12 words, no code, paths, placeholders, digits or Title Case
names, and for non-Latin languages no Latin letters (a product name decides nothing).
A fixed seed picks the strings, so a run is repeatable on one machine.
"""

import gettext
import random
import re
from pathlib import Path

from socialcare_classifier.data.language_set import LanguageRow

LOCALE_ROOT = Path("/usr/share/locale")
# Gold tag -> catalog folder: the claimed languages, Brazilian and European Portuguese, and
# unclaimed ones, neighbours or not, that must come out as themselves or "und".
LOCALES: dict[str, str] = {
    "es": "es", "fr": "fr", "de": "de", "pt-PT": "pt", "pt-BR": "pt_BR", "it": "it",
    "nl": "nl", "ca": "ca", "pl": "pl", "tr": "tr", "sv": "sv", "ru": "ru", "uk": "uk",
    "ar": "ar", "ko": "ko", "ja": "ja", "zh": "zh_CN", "el": "el", "he": "he", "th": "th",
    "gl": "gl", "da": "da", "nb": "nb", "ro": "ro", "id": "id", "fa": "fa", "bg": "bg",
    "cs": "cs", "sk": "sk", "eu": "eu", "hr": "hr", "sl": "sl", "fi": "fi", "hu": "hu",
}
_NON_LATIN = frozenset({"ru", "uk", "ar", "ko", "ja", "zh", "el", "he", "th", "fa", "bg"})
_CODE_RE = re.compile(r"[-\[\]=/\\:;()<>|_0-9@#*+\"%{}$&]")
SEED = 16


def _prose(value: str, non_latin: bool) -> str | None:
    words = value.split()
    if not 3 <= len(words) <= 12 or _CODE_RE.search(value):
        return None
    if sum(ch.isalpha() for ch in value) < 12:
        return None
    if non_latin and any(ch.isascii() and ch.isalpha() for ch in value):
        return None
    if not non_latin and sum(w[:1].isupper() for w in words) > len(words) / 2:
        return None  # menu captions and names in Title Case
    return " ".join(words)


def _strings(folder: Path, non_latin: bool) -> list[str]:
    found: set[str] = set()
    for mo in sorted(folder.glob("*.mo")):
        try:
            with mo.open("rb") as f:
                catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
        except (OSError, UnicodeDecodeError, LookupError):
            continue  # a broken catalog or one in an unknown charset says nothing
        for source, translated in catalog.items():
            if isinstance(source, str) and isinstance(translated, str) and translated != source:
                text = _prose(translated, non_latin)
                if text:
                    found.add(text)
    return sorted(found)


def read_catalog_set(per_language: int = 80, root: Path = LOCALE_ROOT) -> list[LanguageRow]:
    """Up to ``per_language`` prose strings per language; empty when no catalogs are there."""
    rows: list[LanguageRow] = []
    for tag, locale in LOCALES.items():
        folder = root / locale / "LC_MESSAGES"
        if not folder.is_dir():
            continue
        strings = _strings(folder, tag.split("-")[0] in _NON_LATIN)
        random.Random(SEED).shuffle(strings)
        rows += [LanguageRow(tag, text) for text in strings[:per_language]]
    return rows
