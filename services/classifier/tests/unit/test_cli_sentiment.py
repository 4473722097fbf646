import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from socialcare_classifier.cli import main
from socialcare_classifier.domain.sentiment_model import SentimentModel

pytestmark = pytest.mark.unit


def write_csv(path: Path, header: tuple[str, str], rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


SUBJECTS = ("the zorbix", "my flarn", "our quibble", "this trebon", "the vask", "a plimmet")


@pytest.fixture
def labelled(synthetic: Callable) -> list[tuple[str, str]]:
    texts, labels = synthetic(SUBJECTS)
    return list(zip(texts, [label.upper() for label in labels], strict=True))


def test_a_missing_column_is_named_with_the_columns_the_file_has(
        tmp_path: Path, capsys: pytest.CaptureFixture, labelled: list[tuple[str, str]]) -> None:
    data = write_csv(tmp_path / "d.csv", ("body", "sentiment"), labelled)
    code = main(["train-sentiment", "--data", str(data), "--label-column", "sentiment",
                 "--licence", "CC0-1.0", "--no-activate", "--out", str(tmp_path)])
    printed = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "has no column(s) text" in printed and "body, sentiment" in printed
    assert not list(tmp_path.glob("sentiment-*.json"))


def test_labels_other_than_the_three_sentiments_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture, labelled: list[tuple[str, str]]) -> None:
    data = write_csv(tmp_path / "d.csv", ("text", "label"), [*labelled, ("meh", "mixed")])
    assert main(["train-sentiment", "--data", str(data), "--licence", "CC0-1.0",
                 "--no-activate", "--out", str(tmp_path)]) == 1
    assert "mixed" in capsys.readouterr().out


def test_training_from_jsonl_writes_a_versioned_artifact_with_its_provenance(
        tmp_path: Path, capsys: pytest.CaptureFixture, labelled: list[tuple[str, str]]) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(json.dumps({"text": t, "label": label, "language": "en"})
                              for t, label in labelled), encoding="utf-8")
    assert main(["train-sentiment", "--data", str(data), "--licence", "CC0-1.0",
                 "--c", "10", "--holdout", "0.25", "--no-activate", "--out",
                 str(tmp_path / "models")]) == 0
    [artifact] = (tmp_path / "models").glob("sentiment-*.json")
    model = SentimentModel.from_dict(json.loads(artifact.read_text(encoding="utf-8")))
    assert artifact.stem == model.version
    assert model.metadata["data_licence"] == "CC0-1.0"
    assert model.metadata["trained_from"]["file"] == "d.jsonl"
    assert model.metadata["held_out"]["rows"] == 12
    assert model.metadata["held_out"]["macro_f1"] == 1.0
    assert model.version in capsys.readouterr().out
