from datetime import UTC, datetime, timedelta

import pytest

from socialcare_classifier.domain.classify import classify
from socialcare_classifier.domain.contacts import count_recent
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
HOUR = 3600.0


def msg(text: str = "my order has not arrived", **fields: object) -> NormalizedMessage:
    return NormalizedMessage(platform=Platform.X, channel=ChannelKind.MENTION,
                             brand_account="acmeshop", platform_message_id="m1",
                             author=Author(id="u1"), text=text,
                             created_at=fields.pop("created_at", T0), **fields)


def test_counts_only_earlier_messages_inside_the_window() -> None:
    t = T0.timestamp()
    history = {"old": t - 30 * HOUR, "a": t - 2 * HOUR, "b": t - HOUR, "later": t + 60}
    count, updated = count_recent(history, "m", t, 24 * HOUR, 50)
    assert count == 2
    assert "old" not in updated and updated["m"] == t and "later" in updated


def test_replaying_a_message_gives_the_same_count() -> None:
    t = T0.timestamp()
    first, history = count_recent({"a": t - 60}, "m", t, HOUR, 50)
    _, history = count_recent(history, "n", t + 60, HOUR, 50)
    again, _ = count_recent(history, "m", t, HOUR, 50)
    assert first == again == 1


def test_history_is_bounded_keeping_the_newest() -> None:
    t = T0.timestamp()
    history = {f"m{i}": t - i for i in range(10)}
    _, updated = count_recent(history, "new", t + 1, HOUR, 5)
    assert len(updated) == 5 and "new" in updated and "m9" not in updated


def test_repeated_contact_and_waiting_raise_priority_with_reasons() -> None:
    base = classify(msg())
    repeated = classify(msg(), recent_contacts=3)
    waited = classify(msg(received_at=T0 + timedelta(hours=2)))
    assert repeated.priority > base.priority and "repeat_contact:3" in repeated.priority_reasons
    assert waited.priority > base.priority and "waiting:>1h" in waited.priority_reasons
    assert not any(r.startswith(("repeat", "waiting")) for r in base.priority_reasons)


def test_brand_taxonomy_sets_categories_and_the_model_version() -> None:
    taxonomy = BrandTaxonomy("acmeshop", keywords=(("late_parcel", ("not arrived",)),))
    result = classify(msg(), taxonomy=taxonomy)
    assert result.categories == ("late_parcel",)
    assert result.model_version == f"{classify(msg()).model_version}+{taxonomy.version}"
    assert classify(msg()).categories == ()
