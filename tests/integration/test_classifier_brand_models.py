"""A brand's own sentiment model against a running classifier worker and the real Kafka:
trained from an export of agents' corrections with ``--brand``, activated under the same
held-out guard, used for that brand's messages while every other brand keeps the global
stage, reloaded without a restart; a worse one is refused; a rollback returns the brand
to the global stage."""

import csv
from pathlib import Path

import pytest

from socialcare_classifier.cli import main
from socialcare_classifier.sentiment_cli import NOT_ACTIVATED
from socialcare_contracts import topics
from socialcare_contracts.events import MessageClassified
from tests.integration.test_classifier_model_reload import (
    CUES,
    SUBJECTS,
    TEXT,
    admin_commands_reach,
)
from tests.integration.test_classifier_workers import Workers, by_message, classify_until
from tests.integration.test_classifier_workers import workers as workers  # noqa: F401

pytestmark = pytest.mark.integration


def write_export(path: Path) -> Path:
    """Corrections as the inbox exports them, for acmeshop."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "intents", "language", "brand", "category",
                         "corrected_by", "corrected_at", "message_id"])
        writer.writerows((f"{s} {c}", label, "", "en", "acmeshop", "", "agent-a",
                          "2026-12-03T16:00:00+00:00", f"x:acmeshop:{i}")
                         for i, (label, s, c) in enumerate(
                             (label, s, c) for label, cues in CUES.items()
                             for s in SUBJECTS for c in cues))
    return path


def test_a_brands_own_model_decides_its_messages_only(
        workers: Workers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture) -> None:
    admin_commands_reach(workers, monkeypatch, tmp_path / "models")
    workers.start()
    data = write_export(tmp_path / "corrections.csv")
    command = ["train-sentiment", "--data", str(data), "--licence", "CC0-1.0",
               "--brand", "AcmeShop"]
    assert main([*command, "--c", "10"]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "for the lexicon" in printed and "to brand acmeshop's messages" in printed, printed
    [artifact] = (tmp_path / "models").glob("sentiment-acmeshop-*.json")
    latest = classify_until(workers, 1, TEXT,
                            lambda c: c.classification.decided_by.get("sentiment", "")
                            .startswith("fast:"), "brand model activated")
    assert latest.classification.decided_by == {"sentiment": f"fast:{artifact.stem}"}
    assert latest.classification.sentiment.label.value == "negative"

    workers.send(400, TEXT, brand="globex")
    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                     workers.sent, 30))
    assert events["m400"][0].data.classification.decided_by == {"sentiment": "lexicon"}

    # Regularised into one label: worse than the brand's active model on the brand's rows.
    assert main([*command, "--c", "0.0001"]) == NOT_ACTIVATED
    printed = " ".join(capsys.readouterr().out.split())
    assert f"{artifact.stem} stays active" in printed, printed

    assert main(["activate-sentiment", "--brand", "acmeshop", "--lexicon"]) == 0
    classify_until(workers, 500, TEXT, lambda c: c.classification.decided_by == {
        "sentiment": "lexicon"}, "the brand back on the global stage")


CATEGORY_EXAMPLES = {
    "refund": ["refund my money", "I want a refund", "refund still not paid",
               "money back please", "where is my refund", "refund request ignored",
               "give me my money back", "refund the double charge", "refund takes forever",
               "no refund yet"],
    "login": ["cannot log in", "password reset fails", "login page errors",
              "locked out of app", "two factor code never comes", "account locked after login",
              "can't sign in", "login keeps failing", "reset password link broken",
              "sign in loop"],
}


def test_categories_corrected_by_agents_train_the_brands_taxonomy(
        workers: Workers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture) -> None:
    admin_commands_reach(workers, monkeypatch, tmp_path / "models")
    workers.start()
    keywords = tmp_path / "acme.json"
    keywords.write_text('{"brand": "acmeshop", "keywords": {"vip": ["gold member"]}}')
    assert main(["rules", "set", str(keywords)]) == 0
    export = tmp_path / "corrections.csv"
    with export.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "brand", "category"])
        writer.writerows((text, "negative", "acmeshop", category)
                         for category, texts in CATEGORY_EXAMPLES.items() for text in texts)
        writer.writerows((text, "negative", "globex", "shoes")
                         for text in CATEGORY_EXAMPLES["login"])
    command = ["train", str(export), "--brand", "acmeshop", "--label-column", "category",
               "--activate"]
    assert main(command) == 0
    activated = classify_until(workers, 1, "please refund the double charge",
                               lambda c: c.classification.categories == ("refund",),
                               "the brand's trained categories reach the worker")
    # The phrases the brand wrote stay beside the model trained from its corrections.
    workers.send(100, "gold member here and my parcel is late")
    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                     workers.sent, 30))
    assert events["m100"][0].data.classification.categories == ("vip",)
    capsys.readouterr()

    # The same rows again score no higher than the active model: refused, nothing changes.
    assert main(command) == NOT_ACTIVATED
    printed = " ".join(capsys.readouterr().out.split())
    assert "does not beat the active 1.000" in printed and "stays" in printed, printed
    version = activated.classification.model_version
    workers.send(101, "where is my refund")
    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                     workers.sent, 30))
    assert events["m101"][0].data.classification.model_version == version
