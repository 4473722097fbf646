"""Learning from agents: sentiment quality against the number of messages agents corrected.

On ``../shared/data/airline-dev.csv``: the fixed held-out part of the fast stage's split
(seed 16, 25 %, never used for a choice) is scored; the rest arrives in tweet order, and
agents correct the first N messages as they come (a correction here is the set's own label;
where the lexicon already had it right the agent confirms it). The fast stage is trained on
those N exactly as ``train-sentiment`` trains it (C by 5-fold CV on the N alone), N = 0 being
the lexicon. Prints a table, writes ``docs/bench/learning-curve.png`` (``--no-plot`` not to).

    python -m bench.learning_curve [--sizes 50 100 ...] [--no-plot]
"""

import argparse
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.table import Table

from bench.classifier_eval import SHARED_AIRLINE
from bench.classifier_eval_fast import AIRLINE_HOLDOUT, AIRLINE_SEED
from bench.common import console
from socialcare_classifier.domain.sentiment import analyze_sentiment
from socialcare_classifier.domain.taxonomy import split_holdout
from socialcare_classifier.sentiment_cli import held_out_scores

SIZES = (50, 100, 200, 400, 800, 1600)
PLOT = Path(__file__).resolve().parents[1] / "docs" / "bench" / "learning-curve.png"
Row = tuple[str, str]


@dataclass(frozen=True)
class Point:
    corrected: int  # messages agents labelled (0: the lexicon alone)
    changed: int  # of them, where the lexicon's label was wrong: real corrections
    macro_f1: float
    accuracy: float
    c: float | None  # the C cross-validation chose (None: the lexicon)


def read_airline(path: Path) -> tuple[list[Row], list[Row]]:
    """(the rest in arrival order, the held-out part): the held-out part is the one
    ``bench.classifier_eval`` scores (the same rows, read and split the same way)."""
    with path.open(encoding="utf-8", newline="") as f:
        records = [r for r in csv.DictReader(f) if r.get("text") and r.get("airline_sentiment")]
    labelled = [(str(i), r["airline_sentiment"].strip().lower()) for i, r in enumerate(records)]
    rest, held_out = split_holdout(labelled, AIRLINE_HOLDOUT, AIRLINE_SEED)
    times = arrival_times([r.get("tweet_created", "") for r in records])
    arrived = sorted((int(i) for i, _ in rest), key=lambda i: (times[i], i))
    row = lambda i: (records[i]["text"], labelled[i][1])  # noqa: E731
    return [row(i) for i in arrived], [row(int(i)) for i, _ in held_out]


def arrival_times(created: Sequence[str]) -> list[datetime]:
    """Each row's tweet time; the few without one (151 of 3,970) take the time of the row
    above them, since the file lists each airline's tweets newest first."""
    times: list[datetime] = []
    for text in created:
        try:
            times.append(datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z"))
        except ValueError:  # empty, or another column's value in a row the export shifted
            times.append(times[-1] if times else datetime.min.replace(tzinfo=UTC))
    return times


def curve(arrived: Sequence[Row], held_out: Sequence[Row], sizes: Sequence[int],
          c_grid: Sequence[float] | None = None) -> list[Point]:
    """The lexicon, then the fast stage trained on the first N arrived rows for each N (C
    chosen from ``c_grid`` by CV on them, as train-sentiment does)."""
    from socialcare_classifier.sentiment_training import DEFAULT_C_GRID, train_sentiment

    lexicon = held_out_scores(None, list(held_out))
    points = [Point(0, 0, lexicon.macro_f1, lexicon.accuracy, None)]
    for n in sorted({min(n, len(arrived)) for n in sizes}):
        first = arrived[:n]
        changed = sum(analyze_sentiment(t).label.value != label for t, label in first)
        fitted = train_sentiment([t for t, _ in first], [label for _, label in first],
                                 {"trained_from": f"first {n} corrections"},
                                 c_grid or DEFAULT_C_GRID)
        scores = held_out_scores(fitted.model, list(held_out))
        points.append(Point(n, changed, scores.macro_f1, scores.accuracy, fitted.c))
        console.print(f"N={n}: macro-F1 {scores.macro_f1:.3f} (C={fitted.c})")
    return points


def print_curve(points: Sequence[Point], held_out: int) -> None:
    table = Table(title=f"Sentiment on {held_out} held-out airline tweets, by the number of "
                        f"messages agents corrected (in arrival order)")
    for name in ("messages corrected", "lexicon was wrong on", "stage", "macro-F1",
                 "accuracy"):
        table.add_column(name, justify="right")
    for p in points:
        table.add_row(f"{p.corrected:,}", f"{p.changed:,}",
                      "lexicon" if p.c is None else f"fast (C={p.c:g})",
                      f"{p.macro_f1:.3f}", f"{p.accuracy:.3f}")
    console.print(table)


def plot(points: Sequence[Point], path: Path) -> None:
    """Macro-F1 against corrections (log scale), the lexicon as a dashed line."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server
    import matplotlib.pyplot as plt

    trained = [p for p in points if p.c is not None]
    figure, axis = plt.subplots(figsize=(6.4, 3.6))
    axis.plot([p.corrected for p in trained], [p.macro_f1 for p in trained], marker="o",
              label="fast stage trained on the corrections")
    axis.axhline(points[0].macro_f1, linestyle="--", color="grey", label="lexicon")
    axis.set_xscale("log")
    axis.set_xlabel("messages corrected by agents")
    axis.set_ylabel("held-out macro-F1")
    axis.legend(loc="lower right")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learning_curve",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="numbers of corrections (all the training part is added)")
    parser.add_argument("--data", type=Path, default=SHARED_AIRLINE)
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)
    if not args.data.exists():
        console.print(f"{args.data} absent: the learning curve needs the shared airline set; "
                      f"skipped")
        return 0
    arrived, held_out = read_airline(args.data)
    console.print(f"{len(arrived)} messages arrive in tweet order, {len(held_out)} held out "
                  f"(split seed {AIRLINE_SEED}, {AIRLINE_HOLDOUT:.0%})")
    points = curve(arrived, held_out, [*args.sizes, len(arrived)])
    print_curve(points, len(held_out))
    if not args.no_plot:
        plot(points, PLOT)
        console.print(f"plot written to {PLOT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
