"""Classifier quality on labelled CSVs: accuracy, macro-F1, per-class precision/recall, confusion.

``python -m bench.classifier_eval`` scores the shipped eval set and private-data set and, when
the shared airline set is present (``../shared/data/airline-dev.csv``), its sentiment (the
rules, then beside them a model trained on part of it and scored on the rest, for comparison)
and a brand taxonomy of complaint reasons trained on part of it and scored on the rest, and
counts the private-data flags on the real customer tweets. Any other CSV:
``python -m bench.classifier_eval FILE.csv --task sentiment --label-column label``
(``--task intents`` reads ``;``-separated intent labels). The trained fast sentiment stage
against the lexicon, trained on one file and scored on another (CSV or JSONL):
``python -m bench.classifier_eval --train A.csv --score B.csv --label-column label``; on the
shared airline set the same comparison runs on a fixed split (``bench.classifier_eval_fast``).
"""

import argparse
import csv
from collections import Counter
from datetime import UTC, datetime
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from rich.table import Table

from bench.classifier_eval_fast import compare, compare_on_airline
from bench.common import console
from socialcare_classifier.domain.classify import classify
from socialcare_classifier.domain.metrics import ClassScore, Scores, score, score_multilabel
from socialcare_classifier.domain.private_data import find_private_data
from socialcare_classifier.domain.taxonomy import split_holdout, train_model
from socialcare_classifier.sentiment_cli import read_rows as read_sentiment_rows
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform

SHARED_AIRLINE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "airline-dev.csv"
SHARED_TWCS = SHARED_AIRLINE.with_name("twcs-sample.csv")
# Written by the project: messages with and without emails, phones, cards and order numbers,
# and the look-alikes (IP addresses, version and build numbers, URLs with item numbers).
PRIVATE_DATA_SET = files("socialcare_classifier.data").joinpath("private_data_eval.csv")
NO_INTENT = "(none)"
PRIVATE = "any private data (the flag)"


def _message(text: str, i: int) -> NormalizedMessage:
    return NormalizedMessage(
        platform=Platform.X, channel=ChannelKind.MENTION, brand_account="eval",
        platform_message_id=f"eval-{i}", author=Author(id="eval"), text=text,
        created_at=datetime(2026, 11, 2, tzinfo=UTC))


def _classify(text: str, i: int):
    return classify(_message(text, i))


def read_rows(path: Path | Traversable | None, text_column: str, label_column: str
              ) -> list[tuple[str, str]]:
    """(text, label) pairs of a CSV; the shipped eval set when no path is given."""
    source = (path or files("socialcare_classifier.data").joinpath("eval_messages.csv")).open(
        encoding="utf-8", newline="")
    with source as f:
        return [(r[text_column], r[label_column] or "") for r in csv.DictReader(f)]


def per_class_table(title: str, per_class: tuple[ClassScore, ...]) -> None:
    """Precision, recall, F1 and support per class, as a table."""
    out = Table(title=title)
    for name in ("label", "precision", "recall", "F1", "support"):
        out.add_column(name, justify="left" if name == "label" else "right")
    for c in per_class:
        out.add_row(c.label, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                    str(c.support))
    console.print(out)


def print_scores(title: str, scores: Scores) -> None:
    """Headline figures, per-class table and confusion matrix (rows gold, columns predicted)."""
    console.print(f"[bold]{title}[/bold]: {scores.total} messages, accuracy "
                  f"{scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f}")
    per_class_table(f"{title}: per class", scores.per_class)
    matrix = Table(title=f"{title}: confusion (rows gold, columns predicted)")
    matrix.add_column("gold \\ predicted")
    for label in scores.labels:
        matrix.add_column(label[:14], justify="right")
    for gold in scores.labels:
        if any(scores.confusion[gold].values()):
            matrix.add_row(gold, *(str(scores.confusion[gold][p]) for p in scores.labels))
    console.print(matrix)


def _rules_scores(rows: list[tuple[str, str]]) -> Scores:
    predicted = [_classify(text, i).sentiment.label.value for i, (text, _) in enumerate(rows)]
    return score([label for _, label in rows], predicted)


def evaluate_sentiment(rows: list[tuple[str, str]], title: str) -> Scores:
    """Scores the sentiment labels the rules give against the gold labels."""
    scores = _rules_scores(rows)
    print_scores(title, scores)
    return scores


def evaluate_intents(rows: list[tuple[str, str]], title: str) -> float:
    """Multi-label intent scores, plus a confusion of first gold intent against first found."""
    gold = [frozenset(x for x in label.split(";") if x) for _, label in rows]
    found = [_classify(text, i).intents for i, (text, _) in enumerate(rows)]
    macro_f1, per_class = score_multilabel(gold, [frozenset(f) for f in found])
    console.print(f"[bold]{title}[/bold]: {len(rows)} messages, intent macro-F1 {macro_f1:.3f}")
    per_class_table(f"{title}: per intent", per_class)
    primary_gold = [label.split(";")[0] or NO_INTENT for _, label in rows]
    primary_found = [g if g in f else (f[0] if f else NO_INTENT)
                     for g, f in zip(primary_gold, found, strict=True)]
    print_scores(f"{title}: first gold intent", score(primary_gold, primary_found))
    return macro_f1


def evaluate_taxonomy(rows: list[tuple[str, str]], title: str, holdout: float
                      ) -> tuple[Scores, list[tuple[str, str]]]:
    """Trains a brand taxonomy on part of the rows and scores it on the rest (returned too)."""
    train_rows, test_rows = split_holdout(rows, holdout)
    model = train_model([t for t, _ in train_rows], [label for _, label in train_rows])
    predicted = [model.predict(t) for t, _ in test_rows]
    scores = score([label for _, label in test_rows], predicted)
    print_scores(f"{title} ({len(train_rows)} trained, {len(test_rows)} held out)", scores)
    return scores, test_rows


def evaluate_private_data(rows: list[tuple[str, str]], title: str) -> float:
    """Per-kind precision and recall of the private-data findings, and of the flag itself."""
    gold = [frozenset(k for k in kinds.split(";") if k) for _, kinds in rows]
    found = [frozenset(f.kind for f in find_private_data(text)) for text, _ in rows]
    _, per_kind = score_multilabel(gold, found)
    _, flag = score_multilabel([frozenset({PRIVATE} if g else ()) for g in gold],
                               [frozenset({PRIVATE} if f else ()) for f in found])
    console.print(f"[bold]{title}[/bold]: {len(rows)} messages, {sum(map(bool, gold))} with "
                  f"private data")
    per_class_table(f"{title}: per kind (message level)", per_kind + flag)
    return flag[0].precision


def report_private_flags(texts: list[str], title: str) -> None:
    """How often each kind fires on unlabelled real messages (to read, not to score)."""
    fired = Counter(f.kind for text in texts for f in find_private_data(text))
    flagged = sum(bool(find_private_data(text)) for text in texts)
    console.print(f"{title}: {flagged} of {len(texts)} flagged ({flagged / len(texts):.1%}); "
                  + ", ".join(f"{kind} {n}" for kind, n in fired.most_common()))


def compare_learned_sentiment(rows: list[tuple[str, str]], holdout: float) -> None:
    """The rules against a model trained on part of the same data set, on the same held-out rows.

    How far a model fitted to one brand's own labels gets says how much of the gap to an aim
    is the rules' and how much is the data's (label noise, messages with no cue either way).
    """
    learned, test_rows = evaluate_taxonomy(rows, "airline sentiment learned in-domain", holdout)
    rules = _rules_scores(test_rows)
    console.print(f"same {len(test_rows)} held-out rows: rules macro-F1 {rules.macro_f1:.3f}, "
                  f"learned in-domain {learned.macro_f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", type=Path)
    parser.add_argument("--task", choices=("sentiment", "intents", "taxonomy"),
                        default="sentiment")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="sentiment")
    parser.add_argument("--holdout", type=float, default=0.3)
    parser.add_argument("--train", type=Path, help="train the fast sentiment stage on this file")
    parser.add_argument("--score", type=Path, help="and score it and the lexicon on this one")
    args = parser.parse_args()
    if args.train or args.score:
        if not (args.train and args.score):
            parser.error("--train and --score go together")
        compare(read_sentiment_rows(args.train, args.text_column, args.label_column),
                read_sentiment_rows(args.score, args.text_column, args.label_column),
                f"trained on {args.train.name}, scored on {args.score.name}", _message)
        return
    if args.csv:
        rows = read_rows(args.csv, args.text_column, args.label_column)
        {"sentiment": evaluate_sentiment, "intents": evaluate_intents}.get(
            args.task, lambda r, t: evaluate_taxonomy(r, t, args.holdout))(rows, str(args.csv))
        return
    evaluate_sentiment(read_rows(None, "text", "sentiment"), "eval set sentiment")
    evaluate_intents(read_rows(None, "text", "intents"), "eval set intents")
    evaluate_private_data(read_rows(PRIVATE_DATA_SET, "text", "kinds"), "private-data set")
    if SHARED_TWCS.exists():
        report_private_flags([t for t, inbound in read_rows(SHARED_TWCS, "text", "inbound")
                              if inbound == "True"], "twcs customer tweets, private data")
    if not SHARED_AIRLINE.exists():
        console.print(f"{SHARED_AIRLINE} absent: airline figures skipped")
        return
    sentiments = read_rows(SHARED_AIRLINE, "text", "airline_sentiment")
    evaluate_sentiment(sentiments, "airline sentiment")
    compare_learned_sentiment(sentiments, args.holdout)
    compare_on_airline(sentiments, _message)
    reasons = [(t, r) for t, r in read_rows(SHARED_AIRLINE, "text", "negativereason")
               if r and r != "Can't Tell"]
    evaluate_taxonomy(reasons, "airline complaint reasons", args.holdout)


if __name__ == "__main__":
    main()
