"""How well near-duplicate grouping keeps a burst together and real traffic out of it.

    scripts/uv run --frozen --all-packages python -m bench.cluster_quality --runs 20

Each run mixes a burst (one question in ten wordings, ``--burst`` messages) with
``--background`` real customer tweets from the shared TWCS sample (../shared/data; the
bench says so and stops without it), shuffles them, and groups them in order with the
router's rules (domain/clusters: bands, joins and merges, as the workers apply them). It
reports the burst's share in its biggest cluster (recall) and how many background tweets
landed there (precision), worst and mean over the runs, and the grouping cost per message.
"""

import argparse
import csv
import random
import time
from collections import Counter
from pathlib import Path

from rich.table import Table

from bench.common import console
from bench.spike.burst import WORDINGS
from socialcare_router.domain.clusters import band_keys, choose

TWCS = Path(__file__).resolve().parents[2] / "shared/data/twcs-sample.csv"


def group(texts: list[str]) -> list[str]:
    """Each text's cluster, grouped in order as the workers do (merges followed)."""
    owner: dict[str, str] = {}
    alias: dict[str, str] = {}

    def root(cluster: str) -> str:
        while cluster in alias:
            cluster = alias[cluster]
        return cluster

    assigned = []
    for i, text in enumerate(texts):
        keys = band_keys(text)
        choice = choose(keys, {k: root(owner[k]) for k in keys if k in owner})
        cluster = choice.cluster or f"c{i}"
        for other in choice.merged:
            alias[other] = cluster
        if choice.grows:
            for key in keys:
                owner.setdefault(key, cluster)
        assigned.append(cluster)
    return [root(c) for c in assigned]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--background", type=int, default=1000)
    args = parser.parse_args()
    if not TWCS.exists():
        console.print(f"no {TWCS}: the shared sample is not here, nothing to measure")
        return
    with TWCS.open(newline="", encoding="utf-8") as f:
        tweets = [row["text"] for row in csv.DictReader(f) if row.get("inbound") == "True"]
    recalls, joined, seconds, messages = [], [], 0.0, 0
    for run in range(args.runs):
        rnd = random.Random(run)
        mixed = [(rnd.choice(WORDINGS), True) for _ in range(args.burst)] + \
            [(t, False) for t in rnd.sample(tweets, args.background)]
        rnd.shuffle(mixed)
        started = time.process_time()
        clusters = group([text for text, _ in mixed])
        seconds += time.process_time() - started
        messages += len(mixed)
        top, size = Counter(c for c, (_, burst) in zip(clusters, mixed, strict=True)
                            if burst).most_common(1)[0]
        recalls.append(size / args.burst)
        joined.append(sum(1 for c, (_, burst) in zip(clusters, mixed, strict=True)
                          if c == top and not burst))
    out = Table(title=f"Near-duplicate grouping: {args.runs} runs of {args.burst} burst + "
                      f"{args.background} real tweets")
    for column in ("measure", "worst", "mean"):
        out.add_column(column, justify="left" if column == "measure" else "right")
    out.add_row("burst in its biggest cluster (recall)", f"{min(recalls):.1%}",
                f"{sum(recalls) / len(recalls):.1%}")
    out.add_row("background tweets in it (of those offered)",
                f"{max(joined) / args.background:.2%}",
                f"{sum(joined) / len(joined) / args.background:.2%}")
    precisions = [args.burst * r / (args.burst * r + j)
                  for r, j in zip(recalls, joined, strict=True)]
    out.add_row("precision of the biggest cluster", f"{min(precisions):.1%}",
                f"{sum(precisions) / len(precisions):.1%}")
    out.add_row("CPU per message (µs)", "", f"{seconds / messages * 1e6:,.0f}")
    console.print(out)


if __name__ == "__main__":
    main()
