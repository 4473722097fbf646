"""The top entries of a py-spy profile in its ``raw`` (collapsed stacks) format, as text.

``python -m bench.pyspy_top profile.txt`` prints the functions with the most samples on CPU:
self (the function itself was running) and total (it was on the stack), as a share of all
samples. Line numbers are dropped so one function's lines count together.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE = re.compile(r":\d+\)$")


def _frame(raw: str) -> str:
    """``classify (socialcare_classifier/domain/classify.py:88)`` without the line number,
    and with the path cut to its package (site-packages and workspace prefixes vary)."""
    name, _, where = _LINE.sub(")", raw.strip()).partition(" (")
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in where:
            where = where.rsplit(marker, 1)[1]
    return f"{name} ({where}" if where else name


def top_entries(collapsed: str, limit: int = 10) -> tuple[int, list[tuple[str, int, int]]]:
    """All samples, and the ``limit`` functions with most self samples with their totals."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        for frame in set(frames):
            total[frame] += count
    return samples, [(f, n, total[f]) for f, n in own.most_common(limit)]


def render(collapsed: str, limit: int = 10) -> str:
    """A Markdown table of the top entries."""
    samples, rows = top_entries(collapsed, limit)
    lines = [f"{samples:,} samples", "", "| function | self % | total % |", "|---|---:|---:|"]
    lines += [f"| `{f}` | {100 * n / samples:.1f} | {100 * t / samples:.1f} |"
              for f, n, t in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()
    print(render(args.profile.read_text(), args.limit))


if __name__ == "__main__":
    main()
