"""The trained fast sentiment stage against the lexicon: quality on rows it never saw, and
classify() throughput per core with each (used by ``bench.classifier_eval``)."""

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.table import Table

from bench.common import console
from socialcare_classifier.domain.classify import classify
from socialcare_classifier.domain.metrics import Scores
from socialcare_classifier.domain.sentiment import score_text
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.domain.taxonomy import split_holdout
from socialcare_classifier.sentiment_cli import held_out_scores
from socialcare_contracts.messages import NormalizedMessage

# The airline split the fast stage's design was chosen on: every choice (features, class
# weights, C grid) came from cross-validation on the training part of this split, so its
# held-out part was never used for one.
AIRLINE_HOLDOUT = 0.25
AIRLINE_SEED = 16


def cpu_rate(work: Callable[[], object], count: int) -> float:
    """Items per CPU second of this process (what other sessions on the cores do not move)."""
    start = time.process_time()
    work()
    return count / (time.process_time() - start)


def throughput(messages: list[NormalizedMessage], warm: list[NormalizedMessage],
               model: SentimentModel) -> dict[str, float]:
    """classify() messages per CPU second with the lexicon and with the fast model, after a
    warm-up on other messages (language models loaded, word caches as in a running worker)."""
    for m in warm:
        classify(m)
        classify(m, sentiment_model=model)
    rates = {}
    for name, chosen in (("lexicon", None), ("fast", model)):
        rates[name] = cpu_rate(lambda chosen=chosen: [classify(m, sentiment_model=chosen)
                                                      for m in messages], len(messages))
    texts = [m.text for m in messages]
    totals = [score_text(t) for t in texts]
    rates["model alone"] = cpu_rate(lambda: model.predict_batch(texts, totals), len(texts))
    return rates


def print_comparison(title: str, rows: dict[str, tuple[Scores, float]]) -> None:
    """One row per stage: held-out macro-F1, accuracy, classify() messages/s per core."""
    out = Table(title=title)
    for name in ("sentiment stage", "macro-F1", "accuracy", "classify() msg/s per core"):
        out.add_column(name, justify="left" if name == "sentiment stage" else "right")
    for name, (scores, rate) in rows.items():
        out.add_row(name, f"{scores.macro_f1:.3f}", f"{scores.accuracy:.3f}", f"{rate:,.0f}")
    console.print(out)


def compare(train_rows: list[tuple[str, str]], test_rows: list[tuple[str, str]], title: str,
            as_message: Callable[[str, int], NormalizedMessage]) -> dict[str, float]:
    """Trains the fast stage on ``train_rows`` (C by 5-fold CV on them alone), scores it and
    the lexicon on ``test_rows``, measures throughput, prints the table; returns macro-F1s."""
    from socialcare_classifier.sentiment_training import train_sentiment

    fitted = train_sentiment([t for t, _ in train_rows], [label for _, label in train_rows],
                             {"trained_from": title,
                              "trained_at": datetime.now(UTC).isoformat(timespec="seconds")})
    console.print(f"{title}: trained on {len(train_rows)}, C={fitted.c} chosen by CV "
                  + ", ".join(f"C={c}: {f1:.3f}" for c, f1 in fitted.cv_macro_f1.items()))
    lexicon = held_out_scores(None, test_rows)
    fast = held_out_scores(fitted.model, test_rows)
    messages = [as_message(t, i) for i, (t, _) in enumerate(test_rows)]
    warm = [as_message(t, -1 - i) for i, (t, _) in enumerate(train_rows[:300])]
    rates = throughput(messages, warm, fitted.model)
    print_comparison(f"{title}: {len(test_rows)} held-out messages",
                     {"lexicon (rules)": (lexicon, rates["lexicon"]),
                      f"fast trained ({fitted.model.version})": (fast, rates["fast"])})
    console.print(f"the fast model alone (features and weights, lexicon score given): "
                  f"{rates['model alone']:,.0f} messages/s per core")
    return {"lexicon": lexicon.macro_f1, "fast": fast.macro_f1}


def compare_on_airline(rows: list[tuple[str, str]],
                       as_message: Callable[[str, int], NormalizedMessage]) -> None:
    """The fixed airline split: train on 75 %, score on the 25 % never used for a choice."""
    train_rows, test_rows = split_holdout(rows, AIRLINE_HOLDOUT, AIRLINE_SEED)
    compare(train_rows, test_rows, f"airline sentiment, fast stage (split seed {AIRLINE_SEED})",
            as_message)
