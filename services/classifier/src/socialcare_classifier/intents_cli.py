"""``train-intent-prototypes``: a brand's intent prototypes from its agents' corrections (the
inbox's export), kept as a versioned artifact and activated on every deep worker for that
brand only when they beat, on a held-out part of the corrections, the prototypes the brand
has now (its own, else the shipped ones)."""

import argparse
import asyncio
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from socialcare_classifier.domain.taxonomy import split_holdout
from socialcare_classifier.labelled_files import of_brand, read_records
from socialcare_classifier.sentiment_cli import NOT_ACTIVATED, activation_verdict, brand_name
from socialcare_classifier.settings import ClassifierSettings

console = Console()
IntentRow = tuple[str, tuple[str, ...]]


def add_parser(commands: Any) -> None:
    """Registers the command on the admin CLI's subparsers."""
    train = commands.add_parser(
        "train-intent-prototypes", help="a brand's deep-stage intent prototypes from its "
                                        "agents' corrections (the inbox's CSV or JSONL export)")
    train.add_argument("--data", type=Path, required=True, help="CSV, or JSONL (.jsonl)")
    train.add_argument("--brand", type=brand_name, required=True)
    train.add_argument("--holdout", type=float, default=0.25)
    train.add_argument("--seed", type=int, default=7)
    train.add_argument("--out", type=Path, help="artifact folder "
                       "(default SOCIALCARE_CLASSIFIER_MODEL_DIR)")
    train.add_argument("--no-activate", action="store_true")


def read_intent_rows(path: Path, brand: str) -> list[IntentRow]:
    """(text, intents) of the brand's rows that carry intents (CSV: joined by ';'; every row
    when the file has no brand column); ValueError when the file has no text or intents."""
    columns, records = read_records(path)
    if not {"text", "intents"} <= columns:
        raise ValueError(f"{path} needs text and intents columns; it has "
                         f"{', '.join(sorted(columns)) or 'none'}")
    rows = []
    for record in of_brand(path, columns, records, brand):
        intents = record.get("intents") or ()
        if isinstance(intents, str):
            intents = intents.split(";")
        chosen = tuple(dict.fromkeys(str(i).strip() for i in intents if str(i).strip()))
        if chosen and str(record.get("text") or "").strip():
            rows.append((str(record["text"]), chosen))
    return rows


def split_rows(rows: list[IntentRow], share: float, seed: int
               ) -> tuple[list[IntentRow], list[IntentRow]]:
    """A seeded held-out part, stratified on each row's first intent."""
    train, held = split_holdout([(str(i), r[1][0]) for i, r in enumerate(rows)], share, seed)
    return [rows[int(i)] for i, _ in train], [rows[int(i)] for i, _ in held]


def train_intent_prototypes_command(args: argparse.Namespace,
                                    settings: ClassifierSettings) -> int:
    """Embeds, builds, writes the artifact, then activates it only if it beats the active."""
    from socialcare_classifier.data.intent_examples import INTENT_EXAMPLES
    from socialcare_classifier.deep.embedder import Embedder
    from socialcare_classifier.domain.prototypes import (
        Prototypes,
        intent_macro_f1,
        with_corrections,
    )

    rows = read_intent_rows(args.data, args.brand)
    if len(rows) < 8:
        raise ValueError(f"{len(rows)} corrections of {args.brand} carry intents: too few "
                         f"to hold some out and learn from the rest (8 at least)")
    train_rows, test_rows = split_rows(rows, args.holdout, args.seed)
    embedder = Embedder()
    console.print(f"embedding {len(rows)} corrections with {embedder.version} ...")
    shipped = {k: embedder.embed(list(v)) for k, v in INTENT_EXAMPLES.items()}
    x_train = embedder.embed([t for t, _ in train_rows])
    x_test = embedder.embed([t for t, _ in test_rows])
    threshold, margin = settings.deep_intent_min_similarity, settings.deep_intent_margin
    candidate = Prototypes.from_examples(
        with_corrections(shipped, x_train, [i for _, i in train_rows]), threshold, margin)
    gold = [i for _, i in test_rows]
    f1 = intent_macro_f1(candidate, x_test, gold)
    digest = hashlib.sha256(candidate.vectors.round(6).tobytes()).hexdigest()[:12]
    version = f"intents-{args.brand}-{datetime.now(UTC):%Y%m%d}-{digest}"
    artifact = candidate.to_dict(version, embedder.version, {
        "brand": args.brand, "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_from": {"file": args.data.name, "rows": len(rows), "corrections_used":
                         len(train_rows)},
        "holdout": {"share": args.holdout, "seed": args.seed, "rows": len(test_rows),
                    "macro_f1": round(f1, 4)}})
    folder = args.out or settings.classifier_model_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{version}.json"
    path.write_text(json.dumps(artifact), encoding="utf-8")
    console.print(f"{version}: held-out intent macro-F1 {f1:.3f} on {len(test_rows)} "
                  f"corrections; written to {path}")
    if args.no_activate:
        return 0
    from socialcare_classifier.deep.models_feed import (
        intents_kind,
        publish_model,
        read_active_models,
    )

    try:
        change = asyncio.run(read_active_models(settings)).get(intents_kind(args.brand))
    except TimeoutError:
        raise ValueError(f"could not read the active models from Kafka at "
                         f"{settings.kafka_bootstrap} (use --no-activate to build only)") from None
    active, name = Prototypes.from_examples(shipped, threshold, margin), "the shipped prototypes"
    if change is not None and change.model is not None:
        try:
            active = Prototypes.from_dict(change.model, embedder.version, threshold, margin)
            name = change.version
        except ValueError:
            pass  # workers refuse it too: they run the shipped prototypes
    active_f1 = intent_macro_f1(active, x_test, gold)
    verdict = activation_verdict(f1, active_f1, 0.0)
    if verdict:
        console.print(f"[red]not activated: {verdict}; {name} stay[/red]")
        return NOT_ACTIVATED
    publish_model(settings, intents_kind(args.brand), version, artifact,
                  "cli:train-intent-prototypes")
    console.print(f"activated {version} for {args.brand} ({f1:.3f} against {active_f1:.3f} "
                  f"for {name}) on every deep worker")
    return 0
