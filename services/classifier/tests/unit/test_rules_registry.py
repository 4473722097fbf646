"""A rules record no worker can use is reported and the brand keeps its last good taxonomy."""

import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from socialcare_classifier.adapters.rules_feed import (
    TaxonomyRegistry,
    UnusableRules,
    _apply_record,
    load_rules,
    rules_change,
)
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_contracts import cloudevents
from socialcare_contracts.events import ClassifierRulesChanged

pytestmark = pytest.mark.unit
GOOD = BrandTaxonomy("acme", keywords=(("loyalty", ("reward points",)),))
MODEL = {"kind": "naive_bayes", "alpha": 0.3, "class_docs": {"a": 1, "b": 1},
         "feature_counts": {"a": {"w:refund": 1}}}
# What reached workers before the admin API checked documents (by hand, older versions).
BAD = [
    ({"model": {**MODEL, "class_docs": {"a": 0}}}, "greater than or equal to 1"),
    ({"model": {**MODEL, "alpha": 0}}, "greater than 0"),
    ({"model": {**MODEL, "class_docs": {}}}, "at least 1 item"),
    ({"keywords": {"a": ["x"]}, "min_confidence": "nan"}, "number"),
    ({"keywords": {"a": ["x"]}, "min_confidence": 5}, "less than or equal to 1"),
    ({"keywords": {"refunds": "refund"}}, "valid list"),
    ({"keywords": {}}, "keywords or a model"),
]


def change(taxonomy: dict[str, Any] | None, version: str = "v2") -> ClassifierRulesChanged:
    return ClassifierRulesChanged(brand="acme", version=version, taxonomy=taxonomy,
                                  changed_at=datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize("taxonomy, reason", BAD)
def test_a_bad_record_is_refused_counted_and_the_last_good_taxonomy_stays(
        taxonomy: dict[str, Any], reason: str, caplog: pytest.LogCaptureFixture) -> None:
    registry = TaxonomyRegistry()
    assert registry.apply(rules_change("acme", GOOD, "test"))
    with caplog.at_level(logging.ERROR):
        assert registry.apply(change(taxonomy)) is False
    assert registry.get("ACME") == GOOD and registry.refused == 1
    assert reason in caplog.text and "previous ones stay active" in caplog.text
    with pytest.raises(UnusableRules, match=reason):
        load_rules(change(taxonomy))


def test_a_record_that_is_not_an_event_is_refused_without_stopping_the_feed() -> None:
    registry = TaxonomyRegistry()
    value, headers = cloudevents.encode(rules_change("acme", GOOD, "test"), source="test")
    _apply_record(registry, SimpleNamespace(value=b"{not json", headers=headers, offset=7))
    _apply_record(registry, SimpleNamespace(value=value, headers=headers, offset=8))
    assert registry.refused == 1 and registry.get("acme") == GOOD


def test_good_changes_and_removals_apply() -> None:
    registry = TaxonomyRegistry()
    assert registry.apply(change({"model": MODEL}))
    taxonomy = registry.get("acme")
    assert taxonomy is not None and taxonomy.model is not None
    assert registry.apply(change(None)) and registry.get("acme") is None
    assert registry.refused == 0
