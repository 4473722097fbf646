"""Intent corrections teaching a brand's prototypes: a learning curve on the labelled TWCS set.

    python -m bench.intent_corrections

Agents correct the dev half's tweets in file order (the first N of them; a tweet teaches
only if it has an intent, as ``train-intent-prototypes`` reads the export); the prototypes are
the shipped examples plus those N, as the command builds them; intent macro-F1 is measured
on the test half, never used for a choice: the prototypes alone (the dev half's best
threshold for them, 0.10, and the workers' 0.36) and the deep stage as it runs (the rules,
then the prototypes where the rules found nothing).
"""

from pathlib import Path

from rich.table import Table

from bench.common import console
from bench.deep_stage import ALONE_THRESHOLD
from bench.intent_coverage import TWCS, intents_of
from socialcare_classifier.data.intent_examples import INTENT_EXAMPLES
from socialcare_classifier.data.twcs_intents import read_twcs_intents
from socialcare_classifier.deep.embedder import Embedder
from socialcare_classifier.domain.metrics import score_multilabel
from socialcare_classifier.domain.prototypes import Prototypes, with_corrections
from socialcare_classifier.settings import ClassifierSettings

STEPS = (0, 10, 20, 40, 80)


def main() -> None:
    rows = read_twcs_intents(Path(TWCS))
    if not rows:
        console.print(f"{TWCS} absent: no figures")
        return
    settings = ClassifierSettings()
    embedder = Embedder(threads=1)
    shipped = {k: embedder.embed(list(v)) for k, v in INTENT_EXAMPLES.items()}
    dev = [r for r in rows if r.split == "dev"]
    test = [r for r in rows if r.split == "test"]
    x_dev = embedder.embed([r.text for r in dev])
    x_test = embedder.embed([r.text for r in test])
    gold = [r.intents for r in test]
    rules = [frozenset(intents_of(r.text)) for r in test]
    out = Table(title=f"intent macro-F1 on the TWCS test half ({len(test)} tweets)")
    for column in ("dev tweets corrected", "of them with an intent (examples)",
                   f"prototypes alone ({ALONE_THRESHOLD})",
                   f"prototypes alone ({settings.deep_intent_min_similarity})",
                   "deep stage (rules, then prototypes)"):
        out.add_column(column, justify="right")
    for n in (*STEPS, len(dev)):
        taught = [j for j in range(n) if dev[j].intents]
        examples = with_corrections(shipped, x_dev[taught], [sorted(dev[j].intents)
                                                             for j in taught])
        readings = []
        for threshold in (ALONE_THRESHOLD, settings.deep_intent_min_similarity):
            prototypes = Prototypes.from_examples(examples, threshold,
                                                  settings.deep_intent_margin)
            readings.append([frozenset(d) for d in prototypes.decide(x_test)])
        deep = [r or p for r, p in zip(rules, readings[1], strict=True)]
        out.add_row(str(n), str(len(taught)),
                    *(f"{score_multilabel(gold, found)[0]:.3f}"
                      for found in (*readings, deep)))
    console.print(out)


if __name__ == "__main__":
    main()
