import csv
import json
from pathlib import Path

import pytest

from socialcare_classifier.cli import main
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_classifier.sentiment_cli import NOT_ACTIVATED

pytestmark = pytest.mark.unit

TOPICS = {
    "refund": ["refund my money", "I want a refund", "refund still not paid", "money back please",
               "where is my refund", "refund request ignored", "give me my money back",
               "refund the double charge", "refund takes forever", "no refund yet"],
    "login": ["cannot log in", "password reset fails", "login page errors", "locked out of app",
              "two factor code never comes", "account locked after login", "can't sign in",
              "login keeps failing", "reset password link broken", "sign in loop"],
}


def write_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["body", "topic"])
        for label, texts in TOPICS.items():
            writer.writerows([t, label] for t in texts)
    return path


def test_train_reports_held_out_scores_and_saves_only_when_asked(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = write_csv(tmp_path / "labels.csv")
    out = tmp_path / "taxonomy.json"
    assert main(["train", str(data), "--brand", "Acme", "--text-column", "body",
                 "--label-column", "topic", "--holdout", "0.3"]) == 0
    printed = capsys.readouterr().out
    assert "macro-F1" in printed and "refund" in printed and "precision" in printed
    assert not out.exists()
    assert main(["train", str(data), "--brand", "Acme", "--text-column", "body",
                 "--label-column", "topic", "--save", str(out)]) == 0
    taxonomy = BrandTaxonomy.from_dict(json.loads(out.read_text()))
    assert taxonomy.brand == "acme" and taxonomy.categorize("please refund me") == ("refund",)


def test_activation_below_the_floor_is_refused_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = write_csv(tmp_path / "labels.csv")
    out = tmp_path / "taxonomy.json"
    code = main(["train", str(data), "--brand", "acme", "--text-column", "body",
                 "--label-column", "topic", "--min-macro-f1", "1.01", "--activate",
                 "--save", str(out)])
    assert code == NOT_ACTIVATED and not out.exists()
    assert "not activated" in capsys.readouterr().out


def test_a_missing_column_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = write_csv(tmp_path / "labels.csv")
    assert main(["train", str(data), "--brand", "acme"]) == 1
    assert "no column(s) label, text" in capsys.readouterr().out


@pytest.mark.parametrize("extra, keywords, reason", [
    ([], {"refunds": "refund"}, "valid list"),  # a string is not split into characters
    (["--min-confidence", "5"], {}, "less than or equal to 1"),
    (["--min-confidence", "nan"], {}, "finite"),
])
def test_a_taxonomy_no_worker_could_use_is_not_saved(
        tmp_path: Path, capsys: pytest.CaptureFixture, extra: list[str],
        keywords: dict, reason: str) -> None:
    data = write_csv(tmp_path / "labels.csv")
    (tmp_path / "kw.json").write_text(json.dumps(keywords))
    out = tmp_path / "taxonomy.json"
    code = main(["train", str(data), "--brand", "acme", "--text-column", "body",
                 "--label-column", "topic", "--keywords", str(tmp_path / "kw.json"),
                 "--save", str(out), *extra])
    assert code == 1 and not out.exists()
    assert reason in capsys.readouterr().out


def test_the_corrections_export_trains_the_brands_categories_only(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # The inbox's JSONL export: other brands' rows and rows corrected without a category
    # (sentiment only, say) are not the brand's categories.
    data = tmp_path / "corrections.jsonl"
    records = [{"text": t, "category": c, "brand": "AcmeShop", "label": "negative"}
               for c, texts in TOPICS.items() for t in texts]
    records += [{"text": t, "category": "shoes", "brand": "globex"} for t in TOPICS["refund"]]
    records += [{"text": "where is my parcel", "category": "", "brand": "acmeshop"}]
    data.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    out = tmp_path / "taxonomy.json"
    assert main(["train", str(data), "--brand", "acmeshop", "--label-column", "category",
                 "--save", str(out)]) == 0
    model = BrandTaxonomy.from_dict(json.loads(out.read_text())).model
    assert model is not None and set(model.class_docs) == {"refund", "login"}
    assert sum(model.class_docs.values()) == 16  # 20 of the brand, 2 of each held out
    assert main(["train", str(data), "--brand", "initech", "--label-column", "category"]) == 1
    assert "no rows of brand initech; its brands are acmeshop, globex" in " ".join(
        capsys.readouterr().out.split())
