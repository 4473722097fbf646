"""The deep stage: embeddings per second per core, and its few-shot intents beside the rules.

    python -m bench.deep_stage [--texts 256]

Throughput: the engine with one thread on real customer tweets (airline set, else the
shipped eval messages), one at a time and in batches, CPU time. Intents: the labelled TWCS
tweets (``twcs_intent_labels.csv`` joined with ``../shared/data/twcs-sample.csv``), per
intent precision and recall on the test half for the rules, the prototypes alone and the deep
stage as it runs (prototypes only where the rules found nothing), with the settings' threshold
(chosen on the dev half).
"""

import argparse
import csv
import time
from importlib.resources import files
from pathlib import Path

from rich.table import Table

from bench.common import console
from bench.intent_coverage import TWCS, intents_of
from socialcare_classifier.data.intent_examples import INTENT_EXAMPLES
from socialcare_classifier.data.twcs_intents import read_twcs_intents
from socialcare_classifier.deep.embedder import Embedder
from socialcare_classifier.domain.metrics import score_multilabel
from socialcare_classifier.domain.prototypes import Prototypes
from socialcare_classifier.settings import ClassifierSettings

AIRLINE = TWCS.parent / "airline-dev.csv"
ALONE_THRESHOLD = 0.10


def sample_texts(n: int) -> list[str]:
    """``n`` real customer texts to time the engine on."""
    source = AIRLINE if AIRLINE.exists() else files("socialcare_classifier.data").joinpath(
        "eval_messages.csv")
    with source.open(encoding="utf-8", newline="") as f:
        return [r["text"] for r in csv.DictReader(f)][:n]


def throughput(embedder: Embedder, texts: list[str]) -> None:
    """Texts per CPU-second, one at a time and in batches."""
    embedder.embed(texts[:4])  # loads the model
    out = Table(title=f"{embedder.version}, one thread: texts per second of CPU")
    out.add_column("batch", justify="right")
    out.add_column("texts/s per core", justify="right")
    for batch in (1, 16, 64):
        started = time.process_time()
        for i in range(0, len(texts), batch):
            embedder.embed(texts[i:i + batch])
        out.add_row(str(batch), f"{len(texts) / (time.process_time() - started):.1f}")
    console.print(out)


def intents(embedder: Embedder, settings: ClassifierSettings) -> None:
    """Per-intent precision and recall of the three readings on each half."""
    rows = read_twcs_intents(Path(TWCS))
    if not rows:
        console.print(f"{TWCS} absent: no intent figures")
        return
    examples = {k: embedder.embed(list(v)) for k, v in INTENT_EXAMPLES.items()}
    prototypes = Prototypes.from_examples(examples, settings.deep_intent_min_similarity,
                                          settings.deep_intent_margin)
    # Alone, the threshold that scored best on the dev half (0.10; README).
    loose = Prototypes.from_examples(examples, ALONE_THRESHOLD, settings.deep_intent_margin)
    embeddings = embedder.embed([r.text for r in rows])
    rules = [frozenset(intents_of(r.text)) for r in rows]
    alone = [frozenset(i) for i in loose.decide(embeddings)]
    deep = [r or frozenset(p) for r, p in zip(rules, prototypes.decide(embeddings), strict=True)]
    for split in ("dev", "test"):
        part = [j for j, r in enumerate(rows) if r.split == split]
        gold = [rows[j].intents for j in part]
        readings = {name: score_multilabel(gold, [found[j] for j in part])
                    for name, found in (("rules", rules), ("prototypes alone", alone),
                                        ("deep stage", deep))}
        out = Table(title=f"labelled TWCS tweets, {split} half ({len(part)}): precision / recall")
        out.add_column("intent")
        for name, (macro, _) in readings.items():
            out.add_column(f"{name} (macro-F1 {macro:.3f})", justify="right")
        labels = [c.label for c in readings["rules"][1]]
        for index, label in enumerate(labels):
            out.add_row(f"{label} ({readings['rules'][1][index].support})",
                        *(f"{per[index].precision:.2f} / {per[index].recall:.2f}"
                          for _, per in readings.values()))
        console.print(out)
        filled = sum(1 for j in part if not rules[j] and deep[j])
        console.print(f"{split}: the deep stage gave intents to {filled} of "
                      f"{sum(1 for j in part if not rules[j])} tweets the rules left empty")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256, help="texts to time")
    args = parser.parse_args()
    embedder = Embedder(threads=1)
    throughput(embedder, sample_texts(args.texts))
    intents(embedder, ClassifierSettings())


if __name__ == "__main__":
    main()
