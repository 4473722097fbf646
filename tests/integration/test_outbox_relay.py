"""Agents' actions while Kafka is unreachable: stored, and every ConversationUpdated published
later, in order, by the relay (the real Kafka client against a broker that does not answer,
then the real broker)."""

import uuid
from collections.abc import Awaitable, Callable

import pytest

from socialcare_contracts import topics
from socialcare_router.adapters.store import Store
from socialcare_router.domain.permissions import Actor
from socialcare_router.inbox import Events, OutboxRelay
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import EventPublisher, Outgoing
from socialcare_runtime.settings import ServiceSettings
from tests.integration.router_helpers import (  # noqa: F401
    add_agent,
    conversation_updates,
    inbox,
    seed,
    store,
)

pytestmark = pytest.mark.integration


def publishing(publisher: EventPublisher, topic: str) -> Callable[[Events], Awaitable[None]]:
    """What the inbox API publishes with: acknowledged by Kafka, or Backpressure."""
    async def publish(events: Events) -> None:
        await publisher.publish([Outgoing(topic, cid, event, event_id)
                                 for event_id, cid, event in events])
    return publish


async def test_no_conversation_update_is_lost_while_kafka_is_down(
        store: Store, kafka_bootstrap: str) -> None:  # noqa: F811
    settings = ServiceSettings(kafka_bootstrap=kafka_bootstrap,
                               topic_prefix=f"t{uuid.uuid4().hex[:10]}.")
    ensure_socialcare_topics(settings)
    topic = settings.topic(topics.CONVERSATIONS_UPDATED)
    [cid] = await seed(store)
    await add_agent(store, "a1")
    agent = Actor("a1", "agent")
    # Nothing listens on port 9: every publish fails after its acknowledgement timeout.
    down = EventPublisher.connect("127.0.0.1:9", "test-down", warm_topic=None,
                                  ack_timeout_s=1.0)
    service = inbox(store)
    service.publish = publishing(down, topic)
    try:
        await service.claim(agent, cid)
        await service.tag(agent, cid, ["vip"], [])
        await service.resolve(agent, cid)
    finally:
        down.close()
    stored = await store.repository.get(cid)
    assert stored is not None and stored.state == "resolved" and stored.tags == ["vip"]
    assert [e["event"]["change"] for e in stored.outbox] == ["claimed", "tagged", "resolved"]
    assert await store.repository.pending_ids(10) == [cid]

    up = EventPublisher.connect(kafka_bootstrap, "test-up", warm_topic=topic)
    try:
        assert await OutboxRelay(store.repository, publishing(up, topic)).run_once() == 3
    finally:
        up.close()
    assert (await store.repository.get(cid)).outbox == []
    assert await store.repository.pending_ids(10) == []

    published = await conversation_updates(kafka_bootstrap, topic)
    assert [(e.change, e.version) for e in published] == \
        [("claimed", 2), ("tagged", 3), ("resolved", 4)]
