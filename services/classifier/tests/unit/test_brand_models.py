"""A brand's own sentiment model: keyed apart from every brand's taxonomy, used for that
brand's messages only, and trained from the brand's rows of an export (plus a base file)."""

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from socialcare_classifier.adapters.rules_feed import (
    SENTIMENT_MODEL_KEY,
    TaxonomyRegistry,
    UnusableRules,
    rules_change,
    sentiment_model_change,
    sentiment_model_key,
)
from socialcare_classifier.cli import main
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_classifier.sentiment_cli import read_rows
from socialcare_classifier.sentiment_training import train_sentiment

pytestmark = pytest.mark.unit
SUBJECTS = ("the zorbix", "my flarn", "our quibble", "this trebon", "the vask", "a plimmet")


@pytest.fixture(scope="module")
def models(synthetic: Callable) -> tuple[SentimentModel, SentimentModel]:
    texts, labels = synthetic(SUBJECTS[:4])
    fit = lambda meta: train_sentiment(texts, labels, meta, c_grid=(10.0,)).model  # noqa: E731
    return (fit({"trained_at": "2026-12-03T10:00:00+00:00"}),
            fit({"trained_at": "2026-12-03T10:00:00+00:00", "brand": "acme"}))


def test_a_brand_models_key_is_no_brands_and_its_version_names_the_brand(
        models: tuple[SentimentModel, SentimentModel]) -> None:
    _, acme = models
    assert sentiment_model_key("Acme") == f"{SENTIMENT_MODEL_KEY}@acme"
    assert acme.version.startswith("sentiment-acme-20261203-")
    with pytest.raises(UnusableRules, match="not a brand"):
        rules_change(sentiment_model_key("acme"), BrandTaxonomy("x", (("a", ("b",)),)), "t")


def test_a_brand_uses_its_own_model_and_every_other_brand_the_global_one(
        models: tuple[SentimentModel, SentimentModel]) -> None:
    general, acme = models
    registry = TaxonomyRegistry()
    assert registry.sentiment_model_for("acme") is None  # the lexicon
    assert registry.apply(sentiment_model_change(acme, "t", brand="acme"))
    assert registry.sentiment_model_for("ACME").version == acme.version
    assert registry.sentiment_model_for("globex") is None
    assert registry.apply(sentiment_model_change(general, "t"))
    assert registry.sentiment_model_for("acme").version == acme.version
    assert registry.sentiment_model_for("globex").version == general.version
    broken = sentiment_model_change(acme, "t", brand="acme").model_copy(
        update={"taxonomy": {**acme.to_dict(), "intercept": [1.0]}})
    assert not registry.apply(broken)
    assert registry.sentiment_model_for("acme").version == acme.version
    assert registry.apply(sentiment_model_change(None, "t", brand="acme"))  # back to global
    assert registry.sentiment_model_for("acme").version == general.version
    assert registry.get("acme") is None  # no taxonomy came of any of it


def write_export(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "intents", "brand", "corrected_by"])
        writer.writerows((t, label, "", brand, "agent-a") for t, label, brand in rows)
    return path


def test_the_brands_rows_of_an_export_are_read_and_a_missing_brand_is_named(
        tmp_path: Path) -> None:
    data = write_export(tmp_path / "c.csv", [("a is wunderfy", "positive", "Acme"),
                                            ("b went snarfed", "negative", "globex")])
    assert read_rows(data, "text", "label", "acme") == [("a is wunderfy", "positive")]
    assert len(read_rows(data, "text", "label")) == 2
    with pytest.raises(ValueError, match="no rows of brand initech; its brands are acme, globex"):
        read_rows(data, "text", "label", "initech")


def test_a_brand_model_is_held_out_on_the_brands_rows_and_trained_with_the_base(
        tmp_path: Path, synthetic: Callable, capsys: pytest.CaptureFixture) -> None:
    texts, labels = synthetic(SUBJECTS)
    rows = [(t, label, "acme" if i % 2 else "globex")
            for i, (t, label) in enumerate(zip(texts, labels, strict=True))]
    data = write_export(tmp_path / "corrections.csv", rows)
    base = write_export(tmp_path / "base.csv", rows[:20])
    command = ["train-sentiment", "--data", str(data), "--licence", "CC0-1.0", "--c", "10",
               "--no-activate", "--out", str(tmp_path / "models")]
    assert main([*command, "--base", str(base)]) == 1
    assert "give --brand too" in capsys.readouterr().out
    assert main([*command, "--brand", "acme", "--base", str(base), "--holdout", "0.25"]) == 0
    [artifact] = (tmp_path / "models").glob("sentiment-acme-*.json")
    metadata = json.loads(artifact.read_text(encoding="utf-8"))["metadata"]
    acme_rows = sum(1 for r in rows if r[2] == "acme")
    assert metadata["brand"] == "acme"
    assert metadata["trained_from"]["rows"] == acme_rows
    assert metadata["trained_from"]["base"]["rows"] == 20
    assert metadata["held_out"]["rows"] == metadata["holdout"]["rows"] < acme_rows
    with pytest.raises(SystemExit):  # argparse refuses it, naming what a brand is
        main([*command, "--brand", "no/such"])
    assert "a brand is 1-111" in capsys.readouterr().err
