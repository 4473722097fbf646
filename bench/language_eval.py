"""Language ID quality and cost: accuracy per language, real-tweet shares, µs and MiB.

``python -m bench.language_eval`` scores ``detect_language`` on the shipped language set
(``socialcare_classifier/data/language_eval.csv``, short customer messages the project wrote:
30+ per claimed language, Brazilian and European Portuguese, and unclaimed neighbours such as
Galician, Danish or Finnish, which count as right when they come out as ``und`` or their own
code, never as a claimed neighbour). When ``../shared/data`` is present it also reports which
languages the real customer tweets there get (nearly all English, unlabelled) and how many
the cheap word profiles settle without lingua. Then a held-out set of real short texts no
choice was made on: prose strings of the machine's translation catalogs (``/usr/share/locale``,
see ``language_catalogs``; skipped where absent), scored by the same rule; ``--baseline`` adds
lingua alone in high-accuracy mode restricted to the claimed languages on it. Cost: the lingua
detector's build time and the process's resident memory before and after it, then CPU µs per
message, warm.
"""

import argparse
import csv
import time
from collections import Counter, defaultdict
from pathlib import Path

from rich.table import Table

from bench.common import console
from socialcare_classifier.data.language_catalogs import LOCALE_ROOT, read_catalog_set
from socialcare_classifier.data.language_set import LanguageRow, is_right, read_language_set
from socialcare_classifier.domain.language import CLAIMED_LANGUAGES, detect_language, profile_guess
from socialcare_classifier.domain.language_library import preload

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _table(title: str, *columns: str) -> Table:
    out = Table(title=title)
    for i, name in enumerate(columns):
        out.add_column(name, justify="left" if i in (0, len(columns) - 1) else "right")
    return out


def _rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def _cpu_us_per_message(texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        detect_language(text)
    return 1e6 * (time.process_time() - start) / max(1, len(texts))


def score_set(rows: list[LanguageRow], title: str = "language set") -> float:
    """Prints accuracy per gold tag and what the misses became; returns claimed accuracy."""
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        outcomes[row.tag][detect_language(row.text)[0]] += 1
    out = _table(f"{title}: per language", "gold", "claimed", "right", "of", "accuracy",
                "misses → predicted")
    right_claimed = total_claimed = 0
    for tag in sorted(outcomes):
        code = tag.split("-")[0]
        got = outcomes[tag]
        right = sum(n for p, n in got.items() if is_right(code, p))
        total = sum(got.values())
        if code in CLAIMED_LANGUAGES:
            right_claimed += right
            total_claimed += total
        misses = ", ".join(f"{p} {n}" for p, n in got.most_common() if not is_right(code, p))
        out.add_row(tag, "yes" if code in CLAIMED_LANGUAGES else "no", str(right), str(total),
                    f"{right / total:.3f}", misses)
    console.print(out)
    accuracy = right_claimed / total_claimed
    right_other = sum(n for tag, got in outcomes.items() for p, n in got.items()
                      if tag.split("-")[0] not in CLAIMED_LANGUAGES
                      and is_right(tag.split("-")[0], p))
    total_other = len(rows) - total_claimed
    console.print(f"[bold]{title}, claimed languages[/bold]: {right_claimed}/{total_claimed} "
                  f"right, accuracy {accuracy:.3f}; unclaimed right (own code or und) "
                  f"{right_other}/{total_other}")
    return accuracy


def lingua_alone(rows: list[LanguageRow]) -> float:
    """Accuracy on the claimed rows of lingua alone, high accuracy, claimed languages only."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_languages(*(
        Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper()))
        for c in sorted(CLAIMED_LANGUAGES))).build()
    claimed = [r for r in rows if r.code in CLAIMED_LANGUAGES]
    found = (detector.detect_language_of(r.text) for r in claimed)
    right = sum(f is not None and f.iso_code_639_1.name.lower() == r.code
                for f, r in zip(found, claimed, strict=True))
    console.print(f"lingua alone (high accuracy, claimed languages only): {right}/{len(claimed)}"
                  f" right, accuracy {right / len(claimed):.3f}")
    return right / len(claimed)


def _shared_texts() -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    twcs, airline = SHARED / "twcs-sample.csv", SHARED / "airline-dev.csv"
    if twcs.exists():
        with twcs.open(encoding="utf-8", newline="") as f:
            sets["twcs customer tweets"] = [r["text"] for r in csv.DictReader(f)
                                            if r["inbound"] == "True"]
    if airline.exists():
        with airline.open(encoding="utf-8", newline="") as f:
            sets["airline tweets"] = [r["text"] for r in csv.DictReader(f)]
    return sets


def report_real(sets: dict[str, list[str]]) -> None:
    """Languages given to unlabelled real tweets and the share the profiles settle alone."""
    out = _table("real tweets (unlabelled)", "set", "messages", "settled by profiles",
                "languages given")
    for name, texts in sets.items():
        given = Counter(detect_language(t)[0] for t in texts)
        fast = sum(profile_guess(t) is not None for t in texts)
        out.add_row(name, str(len(texts)), f"{fast / len(texts):.1%}",
                    ", ".join(f"{c} {n / len(texts):.1%}" for c, n in given.most_common(6)))
    console.print(out)


def report_cost(rows: list[LanguageRow], sets: dict[str, list[str]]) -> None:
    """Detector build time and memory, then warm CPU µs per message."""
    before = _rss_mib()
    start = time.perf_counter()
    preload()
    built = time.perf_counter() - start
    after_build = _rss_mib()
    texts = [r.text for r in rows] + [t for ts in sets.values() for t in ts]
    start = time.perf_counter()
    for text in texts:
        detect_language(text)
    first_pass = time.perf_counter() - start
    out = _table("cost", "what", "figure")
    out.add_row("preload(): detectors built, models loaded", f"{built:.2f} s, RSS {before:.0f} → "
                f"{after_build:.0f} MiB")
    out.add_row("first pass", f"{first_pass:.2f} s, RSS {_rss_mib():.0f} MiB")
    out.add_row("language set, warm", f"{_cpu_us_per_message([r.text for r in rows]):.0f} µs "
                "CPU per message")
    for name, ts in sets.items():
        out.add_row(f"{name}, warm", f"{_cpu_us_per_message(ts):.0f} µs CPU per message")
    console.print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path, help="a CSV with language,text columns")
    parser.add_argument("--baseline", action="store_true",
                        help="also score lingua alone on the held-out catalog set (slow, ~1 GiB)")
    args = parser.parse_args()
    rows = read_language_set(args.csv)
    sets = {} if args.csv else _shared_texts()
    report_cost(rows, sets)
    score_set(rows)
    held_out = [] if args.csv else read_catalog_set()
    if held_out:
        score_set(held_out, "held-out translation catalogs")
        if args.baseline:
            lingua_alone(held_out)
    else:
        console.print(f"no translation catalogs under {LOCALE_ROOT}: held-out figures skipped")
    if sets:
        report_real(sets)
    else:
        console.print(f"{SHARED} absent or a CSV given: real-tweet figures skipped")


if __name__ == "__main__":
    main()
