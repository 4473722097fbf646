"""``train-intent-prototypes`` on the real Kafka: a brand's corrections that teach an intent
the shipped prototypes lack are activated for that brand; the same again does not beat them
and is refused (exit 3), leaving the active prototypes in place."""

import asyncio
import json
import uuid
from pathlib import Path

import pytest

from socialcare_classifier.cli import main
from socialcare_classifier.deep.models_feed import intents_kind, read_active_models
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import topics
from socialcare_runtime.kafka_admin import ensure_topics

pytestmark = pytest.mark.integration

POINTS = ["My loyalty points disappeared from my account", "Where did my reward points go?",
          "The points from my last purchase were never added", "My points balance shows zero",
          "I lost all my loyalty points overnight", "Points missing after my order last week",
          "Why were my reward points taken away?", "My loyalty points have not been credited",
          "The app says I have no points left", "Still no points for my purchase on Monday",
          "Half of my reward points are gone", "You removed my loyalty points without asking"]
OTHERS = ["globex: my loyalty points vanished", "globex: where are my points"]


def test_corrections_that_teach_a_new_intent_are_activated_and_no_better_ones_are_not(
        kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    ensure_topics(kafka_bootstrap, [prefix + t for t in topics.ALL], 1, 1)
    monkeypatch.setenv("SOCIALCARE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("SOCIALCARE_TOPIC_PREFIX", prefix)
    data = tmp_path / "corrections.jsonl"
    data.write_text("".join(
        json.dumps({"text": t, "intents": ["loyalty_points"], "brand": "AcmeShop"}) + "\n"
        for t in POINTS) + "".join(
        json.dumps({"text": t, "intents": ["praise"], "brand": "globex"}) + "\n"
        for t in OTHERS), encoding="utf-8")
    args = ["train-intent-prototypes", "--data", str(data), "--brand", "AcmeShop",
            "--out", str(tmp_path / "models")]

    assert main(args) == 0
    settings = ClassifierSettings()
    change = asyncio.run(read_active_models(settings))[intents_kind("acmeshop")]
    assert change.version.startswith("intents-acmeshop-")
    assert "loyalty_points" in change.model["labels"]
    assert change.model["metadata"]["trained_from"]["rows"] == len(POINTS)  # globex's left out
    assert change.model["metadata"]["holdout"]["macro_f1"] > 0
    assert (tmp_path / "models" / f"{change.version}.json").exists()

    # The same corrections again score what the active prototypes score: nothing to gain.
    assert main(args) == 3
    again = asyncio.run(read_active_models(settings))[intents_kind("acmeshop")]
    assert again.version == change.version
