"""Router and inbox figures on the real MongoDB server (in-process, no other services).

    scripts/uv run --frozen python -m bench.router_inbox --events 2000 --open 10000

1. routing: classified events threaded, routed and stored per second by one Router (the
   worker's service layer with its MongoDB writes; Kafka consumption is not included), one
   at a time and in batches with a batch's customers handled concurrently, as the worker does;
2. queue view: inbox API p50/p99 for the first page of a queue holding ``--open`` open
   conversations, inserted directly in bulk;
3. claims: latency of 50 agents claiming concurrently through the API (one winner each).
Uses a database of its own (dropped afterwards) and a topic prefix of its own.

The default is 10,000 open conversations: mongo-java-server does not use secondary indexes
for the queue query (it scans and sorts the collection), so at 100,000 one page takes 3-5 s
there; on MongoDB 7 the ``queue_status_due`` index serves it.
"""

import argparse
import asyncio
import resource
import time
from datetime import UTC, datetime, timedelta

import httpx
from opentelemetry import trace

from bench.common import console, new_run_id, percentile, table
from socialcare_contracts import topics
from socialcare_contracts.events import Classification, MessageClassified, Sentiment
from socialcare_contracts.messages import NormalizedMessage
from socialcare_local.infra import ensure_infra
from socialcare_router.adapters.store import Store
from socialcare_router.api import create_app
from socialcare_router.domain.conversation import Conversation, MessageFacts
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.routing import Router
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.mongo import connect
from socialcare_runtime.publisher import EventPublisher
from socialcare_runtime.stream_batches import in_key_order

AGENTS = 50
BATCH = 200
T0 = datetime(2026, 11, 24, 15, tzinfo=UTC)
SLA = SlaPolicy()


def classified(run: str, i: int) -> MessageClassified:
    message = NormalizedMessage(
        platform="x", channel="mention", brand_account=f"bench{run}",
        platform_message_id=f"{run}-{i}", author={"id": f"c{i}"}, text="where is my order?",
        created_at=T0 + timedelta(seconds=i))
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=0.9, sentiment=Sentiment(label="negative", score=-0.5),
        intents=("order_status",), priority=30, model_version="bench"))


async def route_rate(store: Store, run: str, first: int, events: int, batch: int
                     ) -> tuple[float, float]:
    """Events routed per second, and this process's CPU µs per event, taking ``batch``
    events at a time as the worker does (a batch's customers concurrently, each in order)."""
    router = Router(store, SlaPolicy(), "general", timedelta(hours=24))
    pending = [classified(run, i) for i in range(first, first + events)]
    start, cpu = time.perf_counter(), time.process_time()
    for at in range(0, events, batch):
        await in_key_order(pending[at:at + batch], lambda e: e.message.conversation_key(),
                           lambda e: router.route_message(
                               e, f"{run}-e{e.message.platform_message_id}"), True)
    return (events / (time.perf_counter() - start),
            1e6 * (time.process_time() - cpu) / events)


def open_conversation(i: int) -> dict:
    """An open, unassigned conversation as the repository stores it."""
    at = T0 + timedelta(seconds=i % 86_400)
    facts = MessageFacts(key=f"k{i}", platform_message_id=f"k{i}", created_at=at,
                         received_at=at, channel="mention", language="en",
                         sentiment="negative", intents=(), private_data=False,
                         priority=i % 100)
    return Conversation.start(
        f"b{i:07d}", platform="x", brand_account="bulk", customer_id=f"c{i}",
        customer={"id": f"c{i}"}, queue="bulk", rule_id=None, tags=[], message=facts,
        sla=SLA, share=0.75, now=T0, trace={}).to_document() | {"version": 1, "outbox": []}


async def bulk_open(store: Store, count: int) -> None:
    batch = []
    for i in range(count):
        batch.append(open_conversation(i))
        if len(batch) == 1000:
            await store.conversations.insert_many(batch)
            batch = []
    if batch:
        await store.conversations.insert_many(batch)


async def timed(call: object) -> float:
    start = time.perf_counter()
    response = await call  # type: ignore[misc]
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 409), response.text
    return elapsed


async def main(events: int, open_count: int, views: int) -> None:
    endpoints = ensure_infra(console=console)
    run = new_run_id()
    client = connect(endpoints.mongo_url, "bench-router")
    database = f"bench_router_{run}"
    store = Store(client, database)
    users = {f"bench-{i}": InboxUser(id=f"agent{i}", name=f"Agent {i}", role="agent")
             for i in range(AGENTS)}
    settings = RouterSettings(kafka_bootstrap=endpoints.kafka_bootstrap, inbox_users=users,
                              topic_prefix=f"bench{run}.", mongo_database=database,
                              # Every race has a winner: no agent reaches capacity.
                              default_agent_capacity=AGENTS)
    ensure_topics(endpoints.kafka_bootstrap, [settings.topic(t) for t in topics.ALL], 1, 1)
    app = create_app(settings, store, lambda: EventPublisher.connect(
        endpoints.kafka_bootstrap, "bench-inbox",
        warm_topic=settings.topic(topics.REPLIES_REQUESTED)), trace.get_tracer("bench"))
    try:
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://inbox") as api:
            one_rate, one_cpu = await route_rate(store, run, 0, events, 1)
            batch_rate, batch_cpu = await route_rate(store, run, events, events, BATCH)
            start = time.perf_counter()
            await bulk_open(store, open_count)
            insert_s = time.perf_counter() - start
            key = {"X-API-Key": "bench-0"}
            view = [await timed(api.get("/v1/queues/bulk/conversations", headers=key))
                    for _ in range(views)]
            targets = [f"b{i:07d}" for i in range(0, AGENTS * 20, 20)]
            claims = []
            for target in targets[:10]:  # 10 rounds: 50 agents race for one conversation
                claims += await asyncio.gather(*(timed(api.post(
                    f"/v1/conversations/{target}/claim", headers={"X-API-Key": f"bench-{i}"}))
                    for i in range(AGENTS)))
            won = await store.conversations.count_documents({"assignee": {"$ne": None},
                                                             "queue": "bulk"})
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        table("router and inbox", [
            ("classified events routed and stored /s, one at a time", one_rate),
            ("  CPU µs per event in this process (MongoDB server not included)", one_cpu),
            (f"the same in batches of {BATCH} (as the worker takes them) /s", batch_rate),
            ("  CPU µs per event in this process", batch_cpu),
            (f"bulk insert of {open_count:,} open conversations (s)", insert_s),
            (f"queue view, first page of 50, p50 (ms) [{views} requests]",
             percentile(view, 0.5)),
            ("queue view p99 (ms)", percentile(view, 0.99)),
            (f"claim under {AGENTS} concurrent agents, p50 (ms)", percentile(claims, 0.5)),
            ("claim p99 (ms)", percentile(claims, 0.99)),
            ("claims won (10 races: must be 10)", float(won)),
            ("peak memory of this process (MiB)", peak_mib),
        ])
    finally:
        await client.drop_database(database)
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--views", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.open, args.views))
