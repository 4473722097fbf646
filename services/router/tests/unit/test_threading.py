from datetime import UTC, datetime, timedelta

import pytest

from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.domain.threading import (
    KnownConversation,
    new_conversation_id,
    thread_message,
)

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)


def message(mid: str = "m1", at: datetime = T0) -> NormalizedMessage:
    return NormalizedMessage(platform="x", channel="mention", brand_account="acme",
                             platform_message_id=mid, author={"id": "u1"}, text="hi",
                             created_at=at)


def test_a_reply_joins_the_conversation_it_replies_to() -> None:
    decision = thread_message(message(), replied_to="c_parent",
                              latest_of_customer=KnownConversation("c_other", T0))
    assert (decision.conversation_id, decision.is_new) == ("c_parent", False)


def test_same_customer_within_the_window_continues_the_conversation() -> None:
    recent = KnownConversation("c_recent", T0 - timedelta(hours=3))
    decision = thread_message(message(), None, recent, window=timedelta(hours=24))
    assert (decision.conversation_id, decision.is_new) == ("c_recent", False)


def test_outside_the_window_a_new_conversation_starts() -> None:
    old = KnownConversation("c_old", T0 - timedelta(days=3))
    decision = thread_message(message(), None, old, window=timedelta(hours=24))
    assert decision.is_new and decision.conversation_id == new_conversation_id(message())


def test_new_conversation_ids_are_deterministic_per_message() -> None:
    assert new_conversation_id(message("m1")) == new_conversation_id(message("m1"))
    assert new_conversation_id(message("m1")) != new_conversation_id(message("m2"))
