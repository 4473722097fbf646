"""A brand's intent prototypes from its agents' corrections: built from the shipped examples
plus the corrected messages, carried as an artifact tied to its embedder, and applied by deep
workers to that brand's messages only."""

import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from socialcare_classifier.deep.embedder import Embedder
from socialcare_classifier.deep.models_feed import intents_kind
from socialcare_classifier.deep_worker import DeepModels
from socialcare_classifier.domain.prototypes import (
    Prototypes,
    intent_macro_f1,
    with_corrections,
)
from socialcare_classifier.intents_cli import read_intent_rows, split_rows
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts.events import DeepModelChanged

pytestmark = pytest.mark.unit
DIM = 8


def unit(*values: float) -> np.ndarray:
    row = np.array(values + (0.0,) * (DIM - len(values)), np.float32)
    return row / np.linalg.norm(row)


class FakeEmbedder(Embedder):
    """A vector per text from its checksum: the same text, the same vector."""

    def __init__(self) -> None:
        super().__init__()
        self.version = "fake-embedder"

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=DIM) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], np.float32).reshape(-1, DIM)


def test_corrections_move_a_prototype_towards_what_agents_said() -> None:
    shipped = {"order_status": np.stack([unit(1, 0), unit(1, 0.1)]),
               "refund_return": np.stack([unit(0, 1), unit(0.1, 1)]),
               "": np.stack([unit(0, 0, 1)])}
    # This brand's customers say "refund" in a way the shipped examples place near orders.
    said = np.stack([unit(1, 0, 0, 1), unit(1, 0, 0, 1.2), unit(1, 0.1, 0, 1)])
    before = Prototypes.from_examples(shipped, 0.1, 0.02)
    after = Prototypes.from_examples(
        with_corrections(shipped, said, [("refund_return",)] * 3), 0.1, 0.02)
    probe = np.stack([unit(1, 0, 0, 1.1)])
    gold = [("refund_return",)]
    assert intent_macro_f1(before, probe, gold) == 0.0
    assert intent_macro_f1(after, probe, gold) == 1.0
    merged = with_corrections(shipped, said[:1], [("refund_return", "loyalty_points")])
    assert len(merged["refund_return"]) == 3 and len(merged["loyalty_points"]) == 1


def test_an_artifact_round_trips_and_is_refused_for_another_embedder() -> None:
    prototypes = Prototypes.from_examples({"praise": np.stack([unit(1)]),
                                           "": np.stack([unit(0, 1)])}, 0.3, 0.02)
    document = json.loads(json.dumps(prototypes.to_dict("intents-acme-1", "e5", {"n": 1})))
    again = Prototypes.from_dict(document, "e5", 0.3, 0.02)
    assert again.labels == prototypes.labels
    assert np.allclose(again.vectors, prototypes.vectors, atol=1e-5)
    with pytest.raises(ValueError, match="not e5"):
        Prototypes.from_dict({**document, "embedder": "other-model"}, "e5", 0.3, 0.02)
    with pytest.raises(ValueError, match="do not match"):
        Prototypes.from_dict({**document, "vectors": [[1.0, 0.0]]}, "e5", 0.3, 0.02)


def test_the_export_is_read_per_brand_and_rows_without_intents_teach_nothing(
        tmp_path: Path) -> None:
    data = tmp_path / "corrections.csv"
    data.write_text("text,label,intents,language,brand,category\n"
                    "where is it,,order_status,en,AcmeShop,\n"
                    "refund and where,,refund_return;order_status,en,acmeshop,\n"
                    "just saying hi,negative,,en,acmeshop,\n"
                    "other brand,,praise,en,globex,\n", encoding="utf-8")
    assert read_intent_rows(data, "acmeshop") == [
        ("where is it", ("order_status",)),
        ("refund and where", ("refund_return", "order_status"))]
    jsonl = tmp_path / "corrections.jsonl"
    jsonl.write_text(json.dumps({"text": "hi", "intents": ["praise"], "brand": "globex"}),
                     encoding="utf-8")
    assert read_intent_rows(jsonl, "globex") == [("hi", ("praise",))]
    with pytest.raises(ValueError, match="intents"):
        (tmp_path / "bad.csv").write_text("text,label\nhi,neutral\n", encoding="utf-8")
        read_intent_rows(tmp_path / "bad.csv", "acmeshop")
    rows = [(f"t{i}", ("a",) if i % 2 else ("b", "a")) for i in range(20)]
    train, held = split_rows(rows, 0.25, 7)
    assert sorted(train + held) == sorted(rows) and not set(train) & set(held)
    assert {r[1][0] for r in held} == {"a", "b"}


def test_a_deep_worker_uses_a_brands_prototypes_for_that_brand_alone() -> None:
    embedder = FakeEmbedder()
    models = DeepModels(ClassifierSettings(), embedder)
    text = "my points vanished again"
    own = Prototypes(("refund_return",), np.zeros(DIM, np.float32), embedder.embed([text]),
                     0.36, 0.02)
    models.apply(DeepModelChanged(kind=intents_kind("AcmeShop"), version="intents-acme-1",
                                  model=own.to_dict("intents-acme-1", "fake-embedder", {}),
                                  changed_at="2026-12-03T12:00:00Z"))
    acme, other = models.label([text, text], ["acmeshop", "globex"])
    assert acme.intents == ("refund_return",)
    assert acme.intents_version == "fake-embedder+intents-acme-1"
    assert other.intents_version == models.version
    # One built on another embedder is refused; the brand's active prototypes stay.
    models.apply(DeepModelChanged(kind=intents_kind("acmeshop"), version="intents-acme-2",
                                  model=own.to_dict("intents-acme-2", "e5-other", {}),
                                  changed_at="2026-12-03T12:01:00Z"))
    assert models.label([text], ["acmeshop"])[0].intents_version.endswith("intents-acme-1")
    models.apply(DeepModelChanged(kind=intents_kind("acmeshop"), version="none", model=None,
                                  changed_at="2026-12-03T12:02:00Z"))
    assert models.label([text], ["acmeshop"])[0].intents_version == models.version
