"""``train-deep-sentiment``: train the deep stage's sentiment head on frozen embeddings, keep
it as a versioned artifact, and activate it on every deep worker only when it beats, on the
held-out rows, what decides their sentiment now (the active head, else the fast stage)."""

import argparse
import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from socialcare_classifier.domain.metrics import Scores, score
from socialcare_classifier.domain.taxonomy import split_holdout
from socialcare_classifier.sentiment_cli import (
    NOT_ACTIVATED,
    activation_verdict,
    held_out_scores,
    load_model,
    read_rows,
)
from socialcare_classifier.settings import ClassifierSettings

console = Console()


def add_parser(commands: Any) -> None:
    """Registers the command on the admin CLI's subparsers."""
    train = commands.add_parser(
        "train-deep-sentiment", help="train the deep stage's sentiment head (LR on e5 "
                                     "embeddings) from a labelled CSV or JSONL")
    train.add_argument("--data", type=Path, required=True, help="CSV, or JSONL (.jsonl)")
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label")
    train.add_argument("--licence", required=True, help="the data's licence, kept in the artifact")
    train.add_argument("--holdout", type=float, default=0.2)
    train.add_argument("--seed", type=int, default=7)
    train.add_argument("--c", type=float, nargs="+", help="chosen by 5-fold CV on the "
                       "training part (default 2 8 32)")
    train.add_argument("--no-lexicon", action="store_true",
                       help="without the lexicon's score beside the embedding")
    train.add_argument("--no-fast", action="store_true",
                       help="without the fast model's probabilities beside the embedding")
    train.add_argument("--fast-model", type=Path, help="a fast model artifact (train-sentiment) "
                       "that never saw these rows; default: one trained on the training part")
    train.add_argument("--out", type=Path, help="artifact folder "
                       "(default SOCIALCARE_CLASSIFIER_MODEL_DIR)")
    train.add_argument("--no-activate", action="store_true")


def train_deep_sentiment_command(args: argparse.Namespace, settings: ClassifierSettings) -> int:
    """Embeds, trains, writes the artifact, then activates it only if it beats the active."""
    from socialcare_classifier.deep.embedder import Embedder
    from socialcare_classifier.deep_training import (
        DEFAULT_C_GRID,
        fast_inputs,
        feature_sets,
        train_head,
    )

    rows = read_rows(args.data, args.text_column, args.label_column)
    train_rows, test_rows = split_holdout(rows, args.holdout, args.seed)
    candidates = feature_sets(lexicon=not args.no_lexicon, fast=not args.no_fast)
    fast = None
    if not args.no_fast:
        given = load_model(args.fast_model) if args.fast_model else None
        console.print("fast model: " + (given.version if given else
                      "training one on the training part (C by CV, out-of-fold scores) ..."))
        fast = fast_inputs([t for t, _ in train_rows], [label for _, label in train_rows],
                           given)
    embedder = Embedder()
    console.print(f"embedding {len(rows)} rows with {embedder.version} "
                  f"(about 30 a second per core) ...")
    x_train = embedder.embed([t for t, _ in train_rows])
    x_test = embedder.embed([t for t, _ in test_rows])
    head, c = train_head(x_train, [t for t, _ in train_rows], [label for _, label in train_rows], {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_from": {"file": args.data.name, "rows": len(rows)},
        "data_licence": args.licence, "embedder": embedder.version,
        "holdout": {"share": args.holdout, "seed": args.seed, "rows": len(test_rows)}},
        tuple(args.c or DEFAULT_C_GRID), candidates, fast)
    gold = [label for _, label in test_rows]
    texts = [t for t, _ in test_rows]
    scores = score(gold, [s.label.value for s in head.predict(x_test, texts)])
    head.metadata["held_out"] = {"macro_f1": round(scores.macro_f1, 4),
                                 "accuracy": round(scores.accuracy, 4)}
    folder = args.out or settings.classifier_model_dir
    folder.mkdir(parents=True, exist_ok=True)
    artifact = folder / f"{head.version}.json"
    artifact.write_text(json.dumps(head.to_dict()), encoding="utf-8")
    console.print(f"{head.version}: held-out macro-F1 {scores.macro_f1:.3f}, accuracy "
                  f"{scores.accuracy:.3f} (inputs {'+'.join(head.features)}, C={c}); written to "
                  f"{artifact}")
    if args.no_activate:
        return 0
    name, active = _active_scores(settings, test_rows, x_test)
    verdict = activation_verdict(scores.macro_f1, active.macro_f1, settings.model_min_macro_f1)
    if verdict:
        console.print(f"[red]not activated: {verdict}; {name} stays[/red]")
        return NOT_ACTIVATED
    from socialcare_classifier.deep.models_feed import publish_head

    publish_head(settings, head, changed_by="cli:train-deep-sentiment")
    console.print(f"activated {head.version} ({scores.macro_f1:.3f} against "
                  f"{active.macro_f1:.3f} for {name}) on every deep worker")
    return 0


def _active_scores(settings: ClassifierSettings, rows: list[tuple[str, str]],
                   x: Any) -> tuple[str, Scores]:
    """What decides these rows' sentiment now, and its scores on them."""
    from socialcare_classifier.adapters.rules_feed import read_active
    from socialcare_classifier.deep.models_feed import read_active_head

    try:
        head = asyncio.run(read_active_head(settings))
        fast = None if head else asyncio.run(read_active(settings)).sentiment_model
    except TimeoutError:
        raise ValueError(f"could not read the active models from Kafka at "
                         f"{settings.kafka_bootstrap} (use --no-activate to train only)") from None
    if head is not None:
        return head.version, score([label for _, label in rows], [
            s.label.value for s in head.predict(x, [t for t, _ in rows])])
    return (fast.version if fast else "the lexicon"), held_out_scores(fast, rows)
