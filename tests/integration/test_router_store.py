"""The router's service layer on the real MongoDB-protocol server: repeatable writes."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from socialcare_contracts.events import (
    Classification,
    MessageClassified,
    ReplyFailed,
    ReplySent,
    Sentiment,
)
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.store import Store
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.routing import Router
from socialcare_runtime.mongo import connect

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, in business hours (UTC)


@pytest.fixture
async def store(mongo_url: str) -> AsyncIterator[Store]:
    client = connect(mongo_url, "test-router-store")
    name = f"it_{uuid.uuid4().hex[:10]}"
    store = Store(client, name)
    await store.create_indexes()
    yield store
    await client.drop_database(name)
    await client.close()


def router(store: Store) -> Router:
    return Router(store, SlaPolicy(), "general", timedelta(hours=24), clock=lambda: T0)


def classified(mid: str, author: str = "u1", reply_to: str | None = None,
               at: datetime = T0, priority: int = 10) -> MessageClassified:
    message = NormalizedMessage(
        platform="x", channel="reply" if reply_to else "mention", brand_account="acme",
        platform_message_id=mid, in_reply_to_id=reply_to, author={"id": author},
        text="my order is late", created_at=at, received_at=at)
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=0.9, sentiment=Sentiment(label="negative", score=-0.6),
        priority=priority, model_version="test"))


async def test_processing_the_same_event_twice_changes_nothing(store: Store) -> None:
    first = await router(store).route_message(classified("m1"), "e1")
    again = await router(store).route_message(classified("m1"), "e1")
    assert first.change == "created" and again.change == "message_added"
    assert again.conversation_id == first.conversation_id and again.message_count == 1
    assert await store.conversations.count_documents({}) == 1
    assert await store.messages.count_documents({}) == 1
    assert first.first_response_due_at == T0 + timedelta(hours=1)


async def test_replies_and_follow_ups_thread_into_one_conversation(store: Store) -> None:
    r = router(store)
    root = await r.route_message(classified("m1"), "e1")
    reply = await r.route_message(classified("m2", reply_to="m1", priority=70), "e2")
    later = await r.route_message(classified("m3", at=T0 + timedelta(hours=2)), "e3")
    other = await r.route_message(classified("m4", author="u2"), "e4")
    assert root.conversation_id == reply.conversation_id == later.conversation_id
    assert other.conversation_id != root.conversation_id
    assert later.message_count == 3 and later.priority == 70


async def test_first_response_keeps_the_earliest_reply(store: Store) -> None:
    r = router(store)
    conv = await r.route_message(classified("m1"), "e1")
    for reply_id, minutes in (("r2", 30), ("r1", 10), ("r2", 30)):
        await store.create_reply({"_id": reply_id, "conversation_id": conv.conversation_id,
                                  "status": "requested", "kind": "public", "text": "hi",
                                  "agent_id": "a1", "brand_account": "acme", "requested_at": T0})
        update = await r.on_reply_sent(ReplySent(
            reply_id=reply_id, conversation_id=conv.conversation_id, platform="x",
            platform_message_id=f"p-{reply_id}", requested_at=T0,
            sent_at=T0 + timedelta(minutes=minutes)))
    assert update is not None and update.first_response_at == T0 + timedelta(minutes=10)
    assert await store.messages.count_documents({"direction": "outbound"}) == 2


async def test_a_late_failure_never_overrides_a_sent_reply(store: Store) -> None:
    r = router(store)
    conv = await r.route_message(classified("m1"), "e1")
    await store.create_reply({"_id": "r1", "conversation_id": conv.conversation_id,
                              "status": "requested", "kind": "public", "text": "hi",
                              "agent_id": "a1", "brand_account": "acme", "requested_at": T0})
    await r.on_reply_sent(ReplySent(reply_id="r1", conversation_id=conv.conversation_id,
                                    platform="x", platform_message_id="p1", requested_at=T0,
                                    sent_at=T0))
    await r.on_reply_failed(ReplyFailed(reply_id="r1", conversation_id=conv.conversation_id,
                                        platform="x", code="unavailable", reason="x",
                                        requested_at=T0, failed_at=T0))
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
        after = (page[-1]["first_response_due_at"], page[-1]["_id"])
    dues = [d["first_response_due_at"] for d in seen]
    assert len(seen) == 7 and dues == sorted(dues)
