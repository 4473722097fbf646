"""Kafka killed while an agent works: every change is stored, and every ConversationUpdated
reaches the topic in order once the broker is back.

The test runs its own broker and MongoDB server (the fault suite's private servers), so
stopping Kafka touches nobody else; the inbox API runs in process with its outbox relay.
"""

import asyncio
import uuid

import httpx
import pytest
from opentelemetry import trace

from bench.faults.servers import local_servers_only, private_stack, start_servers, stop_servers
from socialcare_contracts import topics
from socialcare_local.infra import stop_infra
from socialcare_router.adapters.store import Store
from socialcare_router.api import create_app
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.mongo import connect
from socialcare_runtime.publisher import EventPublisher
from tests.e2e.stack import ARTIFACTS
from tests.integration.router_helpers import conversation_updates, seed
from tests.waiting import eventually_async

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
KEY = {"X-API-Key": "k-agent"}


async def test_no_conversation_update_is_lost_when_kafka_is_killed() -> None:
    stack = private_stack(ARTIFACTS)
    with stack.environment():
        endpoints = start_servers()
        client = connect(endpoints.mongo_url, "test-outbox-kill")
        try:
            await _scenario(endpoints.kafka_bootstrap, Store(client, stack.database))
        finally:
            await client.drop_database(stack.database)
            await client.close()
            stop_servers()


async def _scenario(bootstrap: str, store: Store) -> None:
    settings = RouterSettings(
        kafka_bootstrap=bootstrap, topic_prefix=f"kill{uuid.uuid4().hex[:8]}.",
        inbox_users={"k-agent": InboxUser(id="agent-a", name="Jamie Jones", role="agent")},
        outbox_relay_s=0.5)
    topic = settings.topic(topics.CONVERSATIONS_UPDATED)
    ensure_topics(bootstrap, [settings.topic(t) for t in topics.ALL], 1, 1)
    app = create_app(settings, store, lambda: EventPublisher.connect(
        bootstrap, "test-kill", warm_topic=topic, ack_timeout_s=2.0), trace.get_tracer("t"))
    [cid] = await seed(store)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://inbox") as api:
        path = f"/v1/conversations/{cid}"
        assert (await api.post(f"{path}/claim", headers=KEY)).status_code == 200
        with local_servers_only():
            stop_infra(("kafka",))
        # Kafka is gone: the agent's work is still taken, and stored.
        for action, body in (("tags", {"add": ["vip"]}), ("release", None),
                             ("claim", None), ("resolve", None)):
            response = await api.post(f"{path}/{action}", json=body, headers=KEY)
            assert response.status_code == 200, (action, response.text)
        assert await store.repository.pending_ids(10) == [cid]
        await asyncio.to_thread(start_servers)
        await eventually_async(lambda: _published(store, cid), "the relay caught up", 120)

    published = await conversation_updates(bootstrap, topic)
    # At-least-once: attempts made while the broker was away may arrive too, and repeat
    # versions already seen. A consumer that keeps the highest version it has seen (the
    # contract) gets every change once, in order, with none missing. The seed's 'created'
    # (version 1) was only marked as published, as a worker does after Kafka's ack; the
    # relay may still publish it from the outbox before the claim's write drops it, so
    # whether it shows up here is a race the contract allows, and it is left out.
    seen, applied = 1, []
    for event in published:
        if event.version > seen:
            seen = event.version
            applied.append((event.version, event.change))
    assert applied == [(2, "claimed"), (3, "tagged"), (4, "released"), (5, "claimed"),
                       (6, "resolved")], [(e.version, e.change) for e in published]


async def _published(store: Store, cid: str) -> bool:
    conversation = await store.repository.get(cid)
    return conversation is not None and not conversation.outbox \
        and not await store.repository.pending_ids(10)
