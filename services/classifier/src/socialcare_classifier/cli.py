"""Admin commands: train a brand taxonomy or the fast sentiment stage, publish or remove a
brand's rules."""

import argparse
import csv
import json
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from socialcare_classifier.deep_cli import add_parser as add_deep_parser
from socialcare_classifier.deep_cli import train_deep_sentiment_command
from socialcare_classifier.domain.metrics import Scores, score
from socialcare_classifier.domain.taxonomy import BrandTaxonomy, split_holdout, train_model
from socialcare_classifier.intents_cli import add_parser as add_intents_parser
from socialcare_classifier.intents_cli import train_intent_prototypes_command
from socialcare_classifier.sentiment_cli import (
    activate_sentiment_command,
    train_sentiment_command,
)
from socialcare_classifier.sentiment_cli import add_parser as add_sentiment_parser
from socialcare_classifier.settings import ClassifierSettings

log = logging.getLogger(__name__)
console = Console()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m socialcare_classifier",
                                     description="Without a command: run the classifier worker.")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a brand taxonomy from a labelled CSV")
    train.add_argument("csv", type=Path)
    train.add_argument("--brand", required=True)
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label")
    train.add_argument("--holdout", type=float, default=0.2)
    train.add_argument("--keywords", type=Path,
                       help='JSON {"category": ["phrase", ...]} matched before the model')
    train.add_argument("--min-confidence", type=float, default=0.5)
    train.add_argument("--min-macro-f1", type=float,
                       help="floor to activate (default SOCIALCARE_MODEL_MIN_MACRO_F1)")
    train.add_argument("--save", type=Path, help="also write the taxonomy JSON here")
    train.add_argument("--activate", action="store_true",
                       help="publish to every running worker if the held-out scores pass")
    add_sentiment_parser(commands)
    add_deep_parser(commands)
    add_intents_parser(commands)
    rules = commands.add_parser("rules", help="publish or remove a brand's taxonomy")
    actions = rules.add_subparsers(dest="action", required=True)
    set_ = actions.add_parser("set", help="activate a taxonomy JSON file (from train --save)")
    set_.add_argument("file", type=Path)
    remove = actions.add_parser("remove", help="remove a brand's taxonomy")
    remove.add_argument("brand")
    return parser


def read_labelled(path: Path, text_column: str, label_column: str) -> list[tuple[str, str]]:
    """(text, label) rows with both present; raises ValueError naming a missing column."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = {text_column, label_column} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path} has no column(s) {', '.join(sorted(missing))}")
        return [(r[text_column], r[label_column].strip()) for r in reader
                if r[text_column] and r[label_column] and r[label_column].strip()]


def print_scores(scores: Scores) -> None:
    """Held-out accuracy, macro-F1 and per-class precision/recall."""
    console.print(f"held out: {scores.total} messages, accuracy {scores.accuracy:.3f}, "
                  f"macro-F1 {scores.macro_f1:.3f}")
    out = Table()
    for name in ("category", "precision", "recall", "F1", "support"):
        out.add_column(name, justify="left" if name == "category" else "right")
    for c in scores.per_class:
        out.add_row(c.label, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                    str(c.support))
    console.print(out)


def train(args: argparse.Namespace, settings: ClassifierSettings) -> int:
    """Trains, reports held-out scores, then saves/activates only when asked and good enough."""
    rows = read_labelled(args.csv, args.text_column, args.label_column)
    train_rows, test_rows = split_holdout(rows, args.holdout)
    if not test_rows or len({label for _, label in train_rows}) < 2:
        raise ValueError("need at least two categories with two or more examples each")
    keywords = json.loads(args.keywords.read_text(encoding="utf-8")) if args.keywords else {}
    # Through the document's checks, as the admin API does: phrases must be lists (a
    # string would otherwise become its characters), min_confidence 0..1.
    taxonomy = BrandTaxonomy.from_dict({
        "brand": args.brand.lower(), "keywords": keywords,
        "model": train_model([t for t, _ in train_rows],
                             [label for _, label in train_rows]).to_dict(),
        "min_confidence": args.min_confidence})
    # Scored on the model alone: keyword phrases are the brand's own and need no evaluation.
    assert taxonomy.model is not None
    scores = score([label for _, label in test_rows],
                   [taxonomy.model.predict(t) for t, _ in test_rows])
    console.print(f"trained {taxonomy.version} on {len(train_rows)} messages")
    print_scores(scores)
    floor = settings.model_min_macro_f1 if args.min_macro_f1 is None else args.min_macro_f1
    if args.activate and scores.macro_f1 < floor:
        console.print(f"[red]not activated: macro-F1 {scores.macro_f1:.3f} < floor {floor}[/red]")
        return 2
    if args.save:
        args.save.write_text(json.dumps(taxonomy.to_dict(), ensure_ascii=False), "utf-8")
        console.print(f"saved to {args.save}")
    if args.activate:
        from socialcare_classifier.adapters.rules_feed import publish_taxonomy

        publish_taxonomy(settings, taxonomy.brand, taxonomy, changed_by="cli:train")
        console.print(f"activated {taxonomy.version}: every worker applies it now")
    return 0


def rules(args: argparse.Namespace, settings: ClassifierSettings) -> int:
    """Publishes a taxonomy file, or a brand's removal, to the rules topic."""
    from socialcare_classifier.adapters.rules_feed import publish_taxonomy

    if args.action == "set":
        taxonomy = BrandTaxonomy.from_dict(json.loads(args.file.read_text(encoding="utf-8")))
        publish_taxonomy(settings, taxonomy.brand, taxonomy, changed_by="cli:rules")
        console.print(f"activated {taxonomy.version}")
    else:
        publish_taxonomy(settings, args.brand, None, changed_by="cli:rules")
        console.print(f"removed the taxonomy of {args.brand.lower()}")
    return 0


def main(argv: list[str]) -> int:
    """Runs one admin command; bad input exits 1 with the reason."""
    args = _parser().parse_args(argv)
    settings = ClassifierSettings()
    try:
        command = {"train": train, "train-sentiment": train_sentiment_command,
                   "activate-sentiment": activate_sentiment_command,
                   "train-deep-sentiment": train_deep_sentiment_command,
                   "train-intent-prototypes": train_intent_prototypes_command,
                   }.get(args.command, rules)
        return command(args, settings)
    except (OSError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
