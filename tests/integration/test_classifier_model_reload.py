"""The fast sentiment stage against a running classifier worker and the real Kafka: a model
trained and activated by the admin command reaches the worker without a restart, and a
model that does not beat it is refused and leaves it active; a saved artifact or the
lexicon can be put back by hand."""

import csv
from pathlib import Path

import pytest

from socialcare_classifier.cli import main
from socialcare_classifier.sentiment_cli import NOT_ACTIVATED
from socialcare_contracts import topics
from socialcare_contracts.events import MessageClassified
from tests.integration.test_classifier_workers import Workers, by_message, classify_until
from tests.integration.test_classifier_workers import workers as workers  # noqa: F401

pytestmark = pytest.mark.integration
# Made-up words: the lexicon reads none of them, so only a trained model can label them.
SUBJECTS = ("the zorbix", "my flarn", "our quibble", "this trebon", "the vask", "a plimmet",
            "the drowl", "her snib")
CUES = {"negative": ("is grobbly", "went snarfed", "keeps blenching"),
        "neutral": ("is at gate nine", "lands on tuesday", "has a seat map"),
        "positive": ("is wunderfy", "was glimmerous", "made it zappy")}
TEXT = "the plonk keeps blenching"


def write_data(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows((f"{s} {c}", label) for label, cues in CUES.items()
                         for s in SUBJECTS for c in cues)
    return path


def admin_commands_reach(workers: Workers, monkeypatch: pytest.MonkeyPatch,
                         models: Path) -> None:
    """The admin commands run in this process then publish to the workers' topics and write
    artifacts under ``models``."""
    for name in ("SOCIALCARE_KAFKA_BOOTSTRAP", "SOCIALCARE_TOPIC_PREFIX",
                 "SOCIALCARE_TOPIC_PARTITIONS"):
        monkeypatch.setenv(name, workers.env[name])
    monkeypatch.setenv("SOCIALCARE_CLASSIFIER_MODEL_DIR", str(models))


def test_an_activated_model_reaches_a_running_worker_and_a_worse_one_is_refused(
        workers: Workers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    admin_commands_reach(workers, monkeypatch, tmp_path / "models")
    workers.start()
    workers.send(1, TEXT)
    [first] = workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, 1, 60)
    assert first.data.classification.decided_by == {"sentiment": "lexicon"}
    assert first.data.classification.sentiment.label.value != "negative"

    data = write_data(tmp_path / "labels.csv")
    command = ["train-sentiment", "--data", str(data), "--licence", "CC0-1.0"]
    assert main([*command, "--c", "10"]) == 0
    printed = capsys.readouterr().out
    assert "activated sentiment-" in printed, printed
    [artifact] = (tmp_path / "models").glob("sentiment-*.json")
    latest = classify_until(workers, 2, TEXT,
                            lambda c: c.classification.decided_by.get("sentiment", "")
                            .startswith("fast:"), "model activated")
    assert latest.classification.decided_by == {"sentiment": f"fast:{artifact.stem}"}
    assert latest.classification.sentiment.label.value == "negative"
    assert artifact.stem in latest.classification.model_version

    # Regularised into always answering one label: worse on the same held-out rows.
    assert main([*command, "--c", "0.0001"]) == NOT_ACTIVATED
    printed = " ".join(capsys.readouterr().out.split())
    assert "not activated" in printed and f"{artifact.stem} stays active" in printed
    workers.send(500, TEXT)
    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified,
                                     workers.sent, 30))
    assert events["m500"][0].data.classification.decided_by == {
        "sentiment": f"fast:{artifact.stem}"}

    # A rollback is an operator's choice: no comparison, straight to every worker.
    assert main(["activate-sentiment", "--lexicon"]) == 0
    classify_until(workers, 501, TEXT, lambda c: c.classification.decided_by == {
        "sentiment": "lexicon"}, "lexicon back")
    assert main(["activate-sentiment", str(artifact)]) == 0
    classify_until(workers, 600, TEXT, lambda c: c.classification.decided_by == {
        "sentiment": f"fast:{artifact.stem}"}, "artifact reactivated")
