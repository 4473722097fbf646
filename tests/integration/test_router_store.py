"""The router's service layer on the real MongoDB-protocol server: repeatable writes."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

from datetime import timedelta

import pytest

from socialcare_contracts.events import ReplyFailed
from socialcare_router.adapters.store import Store
from tests.integration.router_helpers import (  # noqa: F401
    T0,
    changes,
    classified,
    last,
    reply_sent,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration


async def test_processing_the_same_event_twice_changes_nothing(store: Store) -> None:
    first = await router(store).route_message(classified("m1"), "e1")
    again = await router(store).route_message(classified("m1"), "e1")
    # A redelivery publishes the events its first delivery stored, with the same ids.
    assert changes(first) == ["created"] and again == first
    assert last(again).message_count == 1 and last(again).version == 1
    assert await store.conversations.count_documents({}) == 1
    assert await store.messages.count_documents({}) == 1
    assert last(first).first_response_due_at == T0 + timedelta(hours=1)


async def test_replies_and_follow_ups_thread_into_one_conversation(
        store: Store) -> None:
    r = router(store)
    root = await route(r, classified("m1"), "e1")
    reply = await route(r, classified("m2", reply_to="m1", priority=70), "e2")
    later = await route(r, classified("m3", at=T0 + timedelta(hours=2)), "e3")
    other = await route(r, classified("m4", author="u2"), "e4")
    assert root.conversation_id == reply.conversation_id == later.conversation_id
    assert other.conversation_id != root.conversation_id
    assert (reply.change, later.change) == ("message_added", "message_added")
    assert later.message_count == 3 and later.priority == 70


async def test_first_response_keeps_the_earliest_reply(store: Store) -> None:
    r = router(store)
    conv = await route(r, classified("m1"), "e1")
    cid = conv.conversation_id
    for reply_id, minutes in (("r2", 30), ("r1", 10), ("r2", 30)):
        events = await reply_sent(r, store, cid, T0 + timedelta(minutes=minutes), reply_id)
    assert last(events).first_response_at == T0 + timedelta(minutes=10)
    stored = await store.repository.get(cid)
    assert stored is not None and stored.first_response_at == T0 + timedelta(minutes=10)
    assert len(stored.response_keys) == 2  # the repeated r2 counted once
    assert await store.messages.count_documents({"direction": "outbound"}) == 2


async def test_a_late_failure_never_overrides_a_sent_reply(store: Store) -> None:
    r = router(store)
    conv = await route(r, classified("m1"), "e1")
    await reply_sent(r, store, conv.conversation_id, T0)
    failed = await r.on_reply_failed(ReplyFailed(
        reply_id="r1", conversation_id=conv.conversation_id, platform="x", code="unavailable",
        reason="x", requested_at=T0, failed_at=T0))
    assert changes(failed) == ["reply_failed"]
    assert (await store.get_reply("r1"))["status"] == "sent"


async def test_queue_pages_are_due_soonest_first_without_gaps(store: Store) -> None:
    r = router(store)
    for i in range(7):
        await r.route_message(classified(f"m{i}", author=f"u{i}",
                                         at=T0 - timedelta(minutes=i)), f"e{i}")
    seen, after = [], None
    while True:
        page = await store.queue_page("general", "open", 3, after)
        seen += page
        if len(page) < 3:
            break
        after = (page[-1]["due_at"], page[-1]["_id"], None)
    dues = [d["due_at"] for d in seen]
    assert len(seen) == 7 and dues == sorted(dues)
    assert len({d["_id"] for d in seen}) == 7
    # Unanswered work sorts by its response deadline.
    assert all(d["due_at"] == d["first_response_due_at"] for d in seen)


async def test_queue_pages_by_priority_are_highest_first_then_due_soonest(store: Store) -> None:
    r = router(store)
    for i in range(9):
        await r.route_message(classified(f"m{i}", author=f"u{i}", priority=(10, 50, 30)[i % 3],
                                         at=T0 - timedelta(minutes=i)), f"e{i}")
    seen, after = [], None
    while True:
        page = await store.queue_page("general", "open", 2, after, by_priority=True)
        seen += page
        if len(page) < 2:
            break
        after = (page[-1]["due_at"], page[-1]["_id"], page[-1]["priority"])
    order = [(-d["priority"], d["due_at"]) for d in seen]
    assert len({d["_id"] for d in seen}) == 9 and order == sorted(order)
    assert [d["priority"] for d in seen][:3] == [50, 50, 50]
