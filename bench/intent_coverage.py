"""Intent coverage on real customer tweets: the share that gets no intent at all, per brand.

``python -m bench.intent_coverage`` reads ``../shared/data/twcs-sample.csv`` (skipped when
absent: the data may not be copied into the repository), keeps the customers' tweets, runs
the classifier's intent rules with the sentiment reconciliation, as ``classify`` does, and
prints the share with no intent overall and for the brands most written to (a tweet's brand
is the support account that answered it), then how often each intent fires. Then correctness
on the 320 of them labelled by hand (``socialcare_classifier.data.twcs_intents``: ids and
labels ship, the text is read from the shared file): per-intent precision and recall on the
``dev`` half, where rule changes were chosen, and on the ``test`` half, never used for one.
"""

import argparse
import csv
from collections import Counter
from pathlib import Path

from rich.table import Table

from bench.classifier_eval import per_class_table
from bench.common import console
from socialcare_classifier.data.twcs_intents import LabelledTweet, read_twcs_intents
from socialcare_classifier.domain.intents import detect_intents, reconcile_with_sentiment
from socialcare_classifier.domain.metrics import score_multilabel
from socialcare_classifier.domain.sentiment import analyze_sentiment

TWCS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "twcs-sample.csv"


def intents_of(text: str) -> tuple[str, ...]:
    """The intents ``classify`` gives a text (rules, then reconciled with its sentiment)."""
    return reconcile_with_sentiment(detect_intents(text), analyze_sentiment(text).score, text)


def customer_tweets(path: Path) -> list[tuple[str, str]]:
    """(brand, text) of every customer tweet; the brand is the account that answered it."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    author = {r["tweet_id"]: r["author_id"] for r in rows}
    tweets = []
    for r in rows:
        if r["inbound"] != "True":
            continue
        answers = [author.get(i.strip()) for i in r["response_tweet_id"].split(",") if i.strip()]
        brand = next((a for a in answers if a and not a.isdigit()), "(no brand reply)")
        tweets.append((brand, r["text"]))
    return tweets


def report(tweets: list[tuple[str, str]], brands: int) -> float:
    """Prints coverage overall and per brand and intent frequencies; returns the no-intent share."""
    found = [(brand, intents_of(text)) for brand, text in tweets]
    out = Table(title="customer tweets with no intent")
    for name in ("brand", "tweets", "no intent", "share"):
        out.add_column(name, justify="left" if name == "brand" else "right")
    per_brand = Counter(brand for brand, _ in found)
    for brand, n in [("all", len(found)), *per_brand.most_common(brands)]:
        none = sum(1 for b, i in found if not i and brand in ("all", b))
        out.add_row(brand, str(n), str(none), f"{none / n:.1%}")
    console.print(out)
    fired = Counter(i for _, intents in found for i in intents)
    console.print("intents fired: " + ", ".join(f"{i} {n}" for i, n in fired.most_common()))
    return sum(1 for _, i in found if not i) / len(found)


def score_labelled(rows: list[LabelledTweet]) -> dict[str, float]:
    """Per-intent precision and recall on each half; returns macro-F1 per half."""
    macro = {}
    for split in ("dev", "test", "all"):
        part = [r for r in rows if split in ("all", r.split)]
        found = [frozenset(intents_of(r.text)) for r in part]
        macro[split], per_intent = score_multilabel([r.intents for r in part], found)
        labelled = [f for r, f in zip(part, found, strict=True) if r.intents]
        console.print(f"[bold]labelled twcs tweets, {split}[/bold]: {len(part)} tweets, macro-F1 "
                      f"{macro[split]:.3f}; of the {len(labelled)} with a gold intent, "
                      f"{sum(not f for f in labelled)} get none")
        per_class_table(f"labelled twcs tweets, {split}: per intent", per_intent)
    return macro


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", type=int, default=5, help="brands shown one by one")
    args = parser.parse_args()
    if not TWCS.exists():
        console.print(f"{TWCS} absent: nothing to measure")
        return
    report(customer_tweets(TWCS), args.brands)
    score_labelled(read_twcs_intents(TWCS))


if __name__ == "__main__":
    main()
