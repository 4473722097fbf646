"""The timer buckets' keys: one per kind and minute, every minute of a range, safe fields."""

from datetime import UTC, datetime, timedelta

import pytest

from socialcare_router.adapters.field_names import unescape
from socialcare_router.adapters.timers import (
    bucket_id,
    entry_field,
    minute_of,
    minutes_between,
)
from socialcare_router.domain.conversation import Conversation

pytestmark = pytest.mark.unit
AT = datetime(2026, 12, 3, 13, 5, 42, 123_000, tzinfo=UTC)


def test_a_deadline_belongs_to_the_bucket_of_its_minute() -> None:
    assert bucket_id("escalate_at", minute_of(AT)) == "escalate_at|2026-12-03T13:05"
    # Naive datetimes are UTC, as the driver returns them.
    assert minute_of(AT.replace(tzinfo=None)) == minute_of(AT)


def test_minutes_between_lists_every_bucket_of_the_range_once() -> None:
    minutes = minutes_between(AT, AT + timedelta(minutes=3, seconds=30))
    assert [m.minute for m in minutes] == [5, 6, 7, 8, 9]
    assert minutes_between(AT, AT) == [minute_of(AT)]
    assert minutes_between(AT + timedelta(minutes=2), AT) == []


@pytest.mark.parametrize("cid", ["c_0123abcd", "x.y", "$where", "a%2Eb", "%"])
def test_any_conversation_id_is_one_field_of_the_bucket(cid: str) -> None:
    field = entry_field(cid)
    name = field.removeprefix("due.")
    assert "." not in name and not name.startswith("$")
    assert unescape(name) == cid


def conversation(**fields: object) -> Conversation:
    return Conversation.model_validate({
        "_id": "c1", "platform": "x", "brand_account": "b", "customer_id": "u",
        "channel": "mention", "queue": "q", "created_at": AT, "updated_at": AT,
        "first_message_at": AT, "last_message_at": AT, "first_response_due_at": AT,
        "resolution_due_at": AT, **fields})


def test_only_timers_set_or_moved_since_loading_need_an_entry() -> None:
    c = conversation(escalate_at=AT, resolution_escalate_at=AT)
    assert c.timers_moved() == {}
    c.escalate_at = AT + timedelta(minutes=15)
    c.snoozed_until = AT + timedelta(hours=1)
    c.resolution_escalate_at = None  # cleared: its old entry finds nothing due
    assert c.timers_moved() == {"escalate_at": AT + timedelta(minutes=15),
                                "snoozed_until": AT + timedelta(hours=1)}
    c.timers_stored()
    assert c.timers_moved() == {}
