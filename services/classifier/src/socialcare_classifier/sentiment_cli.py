"""``train-sentiment``: train the fast sentiment stage, keep it as a versioned artifact, and
activate it on every running worker only when it beats the active one on held-out rows.
With ``--brand``, a brand's own model (from its agents' corrections, say), held out and
compared on that brand's rows, used for that brand's messages only."""

import argparse
import asyncio
import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from socialcare_classifier.domain.metrics import Scores, score
from socialcare_classifier.domain.sentiment import analyze_sentiment, score_text
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.domain.taxonomy import split_holdout
from socialcare_classifier.labelled_files import labelled_rows
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts.events import SentimentLabel

console = Console()
NOT_ACTIVATED = 3
# A brand as the admin API names one; short enough that its model's rules key fits an Id.
BRAND = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,110}$")


def brand_name(value: str) -> str:
    """``--brand``: a brand account, lowercased as workers compare them."""
    if not BRAND.match(value):
        raise argparse.ArgumentTypeError("a brand is 1-111 of A-Z a-z 0-9 _ . - "
                                         "(not starting with . or -)")
    return value.lower()


def add_parser(commands: Any) -> None:
    """Registers the command on the admin CLI's subparsers."""
    train = commands.add_parser(
        "train-sentiment", help="train the fast sentiment stage from a labelled CSV or JSONL")
    train.add_argument("--data", type=Path, required=True, help="CSV, or JSONL (.jsonl)")
    train.add_argument("--text-column", default="text")
    train.add_argument("--label-column", default="label",
                       help="negative / neutral / positive (case-insensitive)")
    train.add_argument("--licence", required=True,
                       help="the data's licence, kept in the artifact (e.g. CC-BY-4.0)")
    train.add_argument("--holdout", type=float, default=0.2,
                       help="share held out to score and to compare with the active model")
    train.add_argument("--seed", type=int, default=7, help="of the held-out split")
    train.add_argument("--c", type=float, nargs="+",
                       help="regularisation values to choose from by 5-fold CV "
                            "on the training part (default 2 5 10)")
    train.add_argument("--out", type=Path, help="artifact folder "
                       "(default SOCIALCARE_CLASSIFIER_MODEL_DIR)")
    train.add_argument("--no-activate", action="store_true",
                       help="write the artifact only; do not compare or activate")
    train.add_argument("--brand", type=brand_name,
                       help="train the brand's own model from the rows of --data whose brand "
                            "column is BRAND (all rows if it has none), held out and compared "
                            "on them; activated for the brand's messages only")
    train.add_argument("--base", type=Path,
                       help="with --brand: more labelled rows (CSV/JSONL, same columns) "
                            "added to the training part only, never held out")


    activate = commands.add_parser(
        "activate-sentiment", help="activate a saved sentiment artifact, or the lexicon, on "
                                   "every worker without comparing (a rollback)")
    which = activate.add_mutually_exclusive_group(required=True)
    which.add_argument("artifact", nargs="?", type=Path, help="a file train-sentiment wrote")
    which.add_argument("--lexicon", action="store_true", help="back to the lexicon (with "
                       "--brand: the brand back to the global model)")
    activate.add_argument("--brand", type=brand_name, help="the brand's own model")


def load_model(path: Path) -> SentimentModel:
    """The fast model an artifact file holds; ValueError says why it holds none."""
    try:
        return SentimentModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not an artifact train-sentiment wrote: {exc}") from None


def activate_sentiment_command(args: argparse.Namespace, settings: ClassifierSettings) -> int:
    """Publishes an artifact (or the lexicon) as the active sentiment stage, as chosen."""
    from socialcare_classifier.adapters.rules_feed import publish_sentiment_model

    model = None if args.lexicon else load_model(args.artifact)
    publish_sentiment_model(settings, model, changed_by="cli:activate-sentiment",
                            brand=args.brand)
    fallback = "the global model" if args.brand else "the lexicon"
    scope = f" to brand {args.brand}'s messages" if args.brand else ""
    console.print(f"activated {model.version if model else fallback}: every worker applies "
                  f"it now{scope}")
    return 0


def read_rows(path: Path, text_column: str, label_column: str,
              brand: str | None = None) -> list[tuple[str, str]]:
    """(text, lowercased label) rows of a CSV or JSONL file (with ``brand``, those of the
    brand when the file has a brand column); raises ValueError naming a missing column, a
    label the stage does not know, or a brand the file has no rows of."""
    rows = [(text, label.lower())
            for text, label in labelled_rows(path, text_column, label_column, brand)]
    unknown = {label for _, label in rows} - set(SentimentLabel)
    if unknown:
        raise ValueError(f"labels must be {', '.join(SentimentLabel)}; {path} also has "
                         f"{', '.join(sorted(unknown)[:5])}")
    return rows


def _lexicon_or(model: SentimentModel | None, texts: list[str]) -> list[str]:
    if model is None:
        return [analyze_sentiment(t).label.value for t in texts]
    return [s.label.value for s in model.predict_batch(texts, [score_text(t) for t in texts])]


def held_out_scores(model: SentimentModel | None, rows: list[tuple[str, str]]) -> Scores:
    """Scores of a model (None: the lexicon) on labelled rows."""
    return score([label for _, label in rows], _lexicon_or(model, [t for t, _ in rows]))


def _summary(scores: Scores) -> dict[str, Any]:
    return {"rows": scores.total, "macro_f1": round(scores.macro_f1, 4),
            "accuracy": round(scores.accuracy, 4),
            "per_class_f1": {c.label: round(c.f1, 4) for c in scores.per_class}}


def train_sentiment_command(args: argparse.Namespace, settings: ClassifierSettings) -> int:
    """Trains, writes the artifact, then activates it only if it beats the active model."""
    if args.base is not None and args.brand is None:
        raise ValueError("--base adds rows to a brand's own model: give --brand too")
    rows = read_rows(args.data, args.text_column, args.label_column, args.brand)
    train_rows, test_rows = split_holdout(rows, args.holdout, args.seed)
    base = read_rows(args.base, args.text_column, args.label_column) if args.base else []
    from socialcare_classifier.sentiment_training import DEFAULT_C_GRID, train_sentiment

    metadata = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_from": {**_provenance(args.data, len(rows)),
                         **({"base": _provenance(args.base, len(base))} if base else {})},
        "data_licence": args.licence,
        "holdout": {"share": args.holdout, "seed": args.seed, "rows": len(test_rows)},
        **({"brand": args.brand} if args.brand else {}),
    }
    console.print(f"training on {len(train_rows)} rows"
                  f"{f' and {len(base)} of {args.base.name}' if base else ''}, "
                  f"{len(test_rows)} held out ...")
    train_rows = train_rows + base
    fitted = train_sentiment([t for t, _ in train_rows], [label for _, label in train_rows],
                             metadata, tuple(args.c or DEFAULT_C_GRID))
    scores = held_out_scores(fitted.model, test_rows)
    model = replace(fitted.model, metadata={**fitted.model.metadata,
                                            "held_out": _summary(scores)})
    folder = args.out or settings.classifier_model_dir
    folder.mkdir(parents=True, exist_ok=True)
    artifact = folder / f"{model.version}.json"
    artifact.write_text(json.dumps(model.to_dict()), encoding="utf-8")
    console.print(f"{model.version}: held-out macro-F1 {scores.macro_f1:.3f}, accuracy "
                  f"{scores.accuracy:.3f} (C={fitted.c}); written to {artifact}")
    if args.no_activate:
        return 0
    return _activate_if_better(model, scores, test_rows, settings, args.brand)


def _provenance(path: Path, rows: int) -> dict[str, Any]:
    return {"file": path.name, "rows": rows,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _activate_if_better(model: SentimentModel, scores: Scores, test_rows: list[tuple[str, str]],
                        settings: ClassifierSettings, brand: str | None = None) -> int:
    """Publishes ``model`` if it beats what decides these rows now: the brand's own model,
    else the global one, else the lexicon."""
    from socialcare_classifier.adapters.rules_feed import publish_sentiment_model, read_active

    try:
        registry = asyncio.run(read_active(settings))
    except TimeoutError:
        raise ValueError(f"could not read the active model from Kafka at "
                         f"{settings.kafka_bootstrap} (use --no-activate to train only)") from None
    active = registry.sentiment_model_for(brand) if brand else registry.sentiment_model
    active_scores = held_out_scores(active, test_rows)
    name = active.version if active else "the lexicon"
    verdict = activation_verdict(scores.macro_f1, active_scores.macro_f1,
                                 settings.model_min_macro_f1)
    if verdict:
        console.print(f"[red]not activated: {verdict}; {name} stays active[/red] "
                      f"({name}: {active_scores.macro_f1:.3f} on the same rows)")
        return NOT_ACTIVATED
    publish_sentiment_model(settings, model, changed_by="cli:train-sentiment", brand=brand)
    scope = f" to brand {brand}'s messages" if brand else ""
    console.print(f"activated {model.version} ({scores.macro_f1:.3f} against "
                  f"{active_scores.macro_f1:.3f} for {name}): every worker applies it "
                  f"now{scope}")
    return 0


def activation_verdict(candidate_f1: float, active_f1: float, floor: float) -> str | None:
    """Why a candidate must not replace the active model (None: it may)."""
    if candidate_f1 < floor:
        return f"macro-F1 {candidate_f1:.3f} is under the floor {floor}"
    if candidate_f1 <= active_f1:
        return f"macro-F1 {candidate_f1:.3f} does not beat the active {active_f1:.3f}"
    return None
