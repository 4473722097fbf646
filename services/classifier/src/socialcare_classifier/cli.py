"""Admin commands: train a brand taxonomy or the fast sentiment stage, publish or remove a
brand's rules."""

import argparse
import asyncio
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
from socialcare_classifier.labelled_files import labelled_rows
from socialcare_classifier.sentiment_cli import (
    NOT_ACTIVATED,
    activate_sentiment_command,
    activation_verdict,
    brand_name,
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
    train = commands.add_parser(
        "train", help="train a brand taxonomy from a labelled CSV or JSONL (the inbox's "
                      "corrections export with --label-column category, say)")
    train.add_argument("csv", type=Path, help="CSV, or JSONL (.jsonl); with a brand column, "
                                              "only the brand's rows are read")
    train.add_argument("--brand", required=True, type=brand_name)
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label")
    train.add_argument("--holdout", type=float, default=0.2)
    train.add_argument("--keywords", type=Path,
                       help='JSON {"category": ["phrase", ...]} matched before the model '
                            "(with --activate and without this, the brand's active phrases "
                            "are kept)")
    train.add_argument("--min-confidence", type=float, default=0.5)
    train.add_argument("--min-macro-f1", type=float,
                       help="floor to activate (default SOCIALCARE_MODEL_MIN_MACRO_F1)")
    train.add_argument("--save", type=Path, help="also write the taxonomy JSON here")
    train.add_argument("--activate", action="store_true",
                       help="publish to every running worker if it beats the brand's active "
                            "model on the held-out rows and reaches the floor")
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
    """Trains, reports held-out scores, then saves/activates only when asked and good enough:
    activation needs the floor and a higher held-out macro-F1 than the brand's active model
    (a taxonomy without one has nothing to beat)."""
    rows = labelled_rows(args.csv, args.text_column, args.label_column, args.brand)
    train_rows, test_rows = split_holdout(rows, args.holdout)
    if not test_rows or len({label for _, label in train_rows}) < 2:
        raise ValueError("need at least two categories with two or more examples each")
    model = train_model([t for t, _ in train_rows], [label for _, label in train_rows])
    # Scored on the model alone: keyword phrases are the brand's own and need no evaluation.
    gold = [label for _, label in test_rows]
    scores = score(gold, [model.predict(t) for t, _ in test_rows])
    floor = settings.model_min_macro_f1 if args.min_macro_f1 is None else args.min_macro_f1
    # The floor first: a model under it needs no trip to Kafka to be refused.
    verdict = activation_verdict(scores.macro_f1, 0.0, floor) if args.activate else None
    active = _active_taxonomy(settings, args.brand) if args.activate and not verdict else None
    if args.keywords:
        keywords = json.loads(args.keywords.read_text(encoding="utf-8"))
    else:
        # Retraining from corrections must not drop the phrases the brand wrote.
        keywords = {c: list(p) for c, p in active.keywords} if active else {}
    # Through the document's checks, as the admin API does: phrases must be lists (a
    # string would otherwise become its characters), min_confidence 0..1.
    taxonomy = BrandTaxonomy.from_dict({
        "brand": args.brand, "keywords": keywords, "model": model.to_dict(),
        "min_confidence": args.min_confidence})
    console.print(f"trained {taxonomy.version} on {len(train_rows)} messages")
    print_scores(scores)
    if active and active.model:
        active_f1 = score(gold, [active.model.predict(t) for t, _ in test_rows]).macro_f1
        console.print(f"the active {active.version}: macro-F1 {active_f1:.3f} on the same rows")
        verdict = activation_verdict(scores.macro_f1, active_f1, floor)
    if verdict:
        kept = active.version if active else "the active taxonomy"
        console.print(f"[red]not activated: {verdict}; {kept} stays[/red]")
        return NOT_ACTIVATED
    if args.save:
        args.save.write_text(json.dumps(taxonomy.to_dict(), ensure_ascii=False), "utf-8")
        console.print(f"saved to {args.save}")
    if args.activate:
        from socialcare_classifier.adapters.rules_feed import publish_taxonomy

        publish_taxonomy(settings, taxonomy.brand, taxonomy, changed_by="cli:train")
        console.print(f"activated {taxonomy.version}: every worker applies it now")
    return 0


def _active_taxonomy(settings: ClassifierSettings, brand: str) -> BrandTaxonomy | None:
    from socialcare_classifier.adapters.rules_feed import read_active

    try:
        return asyncio.run(read_active(settings)).get(brand)
    except TimeoutError:
        raise ValueError(f"could not read the active taxonomy from Kafka at "
                         f"{settings.kafka_bootstrap} (train without --activate)") from None


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
