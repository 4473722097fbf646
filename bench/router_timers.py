"""What a timer tick costs as the store grows: range queries on deadlines vs keyed buckets.

    scripts/uv run --frozen python -m bench.router_timers --stored 10000 100000

For each size, stores that many open conversations (deadlines spread over the next day,
``--due`` of them already due), then times what one escalation tick reads to find its due
work, both ways, on the same data in the same run:
- range: the previous release's three queries (``escalate_at <= now``, the resolution
  deadline, snoozes whose time is up), which need secondary indexes;
- buckets: ``TimerBuckets.due`` for the three kinds (point reads of the unswept minutes).
mongo-java-server, the embedded default, ignores secondary indexes: the range queries scan
every conversation there. The buckets' one-time adoption of the stored deadlines (what an
upgrade pays once) is timed too. Uses a database of its own, dropped afterwards.
"""

import argparse
import asyncio
import resource
import time
import uuid
from datetime import UTC, datetime, timedelta

from rich.progress import Progress
from rich.table import Table

from bench.common import console, percentile
from socialcare_local.infra import ensure_infra
from socialcare_router.adapters.store import Store
from socialcare_router.domain.conversation import TIMERS, Conversation, MessageFacts
from socialcare_router.domain.sla import SlaPolicy
from socialcare_runtime.mongo import connect

CHUNK = 2_000


def document(i: int, now: datetime, due: bool) -> dict:
    at = now - timedelta(hours=2) if due else now + timedelta(seconds=(i * 37) % 86_400)
    facts = MessageFacts(key=f"x:bench:m{i}", platform_message_id=f"m{i}", created_at=at,
                         received_at=at, channel="mention", language="en",
                         sentiment="negative", intents=("order_status",),
                         private_data=False, priority=10)
    conversation = Conversation.start(
        f"c_{i:024x}", platform="x", brand_account="bench", customer_id=f"u{i}",
        customer={"id": f"u{i}"}, queue="general", rule_id=None, tags=[], message=facts,
        sla=SlaPolicy(), share=0.75, now=at, trace={})
    return conversation.to_document() | {"version": 1}


async def range_tick(store: Store, now: datetime, limit: int) -> int:
    """The previous release's reads: one range query per deadline kind."""
    found = 0
    for timer in ("escalate_at", "resolution_escalate_at"):
        found += len(await store.conversations.find(
            {timer: {"$lte": now}, "paused_at": None, "status": {"$ne": "resolved"}},
            {"_id": 1}).sort(timer, 1).limit(limit).to_list())
    found += len(await store.conversations.find(
        {"status": "waiting_on_customer", "snoozed_until": {"$lte": now}},
        {"_id": 1}).sort("snoozed_until", 1).limit(limit).to_list())
    return found


async def bucket_tick(store: Store, now: datetime, limit: int) -> int:
    found = 0
    for kind in TIMERS:
        found += len(await store.repository.timers.due(kind, now, limit))
        await store.repository.timers.advance(kind, now)
    return found


async def timed(tick, store: Store, now: datetime, repeat: int) -> tuple[list[float], int]:
    samples, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = await tick(store, now, 200)
        samples.append((time.perf_counter() - start) * 1000)
    return samples, found


async def measure(mongo_url: str, stored: int, due: int, repeat: int) -> list[tuple]:
    client = connect(mongo_url, "bench-router-timers")
    store = Store(client, f"bench_timers_{uuid.uuid4().hex[:8]}")
    await store.create_indexes()
    now = datetime.now(UTC)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"storing {stored:,} open conversations", total=stored)
            for start in range(0, stored, CHUNK):
                await store.conversations.insert_many(
                    [document(i, now, i < due) for i in range(start, min(stored, start + CHUNK))])
                progress.advance(task, min(CHUNK, stored - start))
        began = time.perf_counter()
        await store.repository.timers.adopt_stored(store.conversations, now)
        adopt_s = time.perf_counter() - began
        rows = []
        for name, tick in (("range queries", range_tick), ("keyed buckets", bucket_tick)):
            samples, found = await timed(tick, store, now, repeat)
            rows.append((stored, name, found, percentile(samples, 0.5),
                         percentile(samples, 0.99), adopt_s if tick is bucket_tick else None))
        return rows
    finally:
        await client.drop_database(store.db.name)
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=50, help="conversations already due")
    parser.add_argument("--repeat", type=int, default=20, help="ticks timed per design")
    args = parser.parse_args()
    endpoints = ensure_infra(console=console)
    out = Table(title="One escalation tick's reads (3 deadline kinds, 200 per kind)")
    for column in ("stored", "design", "due found", "p50 ms", "p99 ms", "adoption s"):
        out.add_column(column, justify="left" if column == "design" else "right")
    for stored in args.stored:
        for row in asyncio.run(measure(endpoints.mongo_url, stored, args.due, args.repeat)):
            n, name, found, p50, p99, adopt = row
            out.add_row(f"{n:,}", name, str(found), f"{p50:,.1f}", f"{p99:,.1f}",
                        "" if adopt is None else f"{adopt:,.1f}")
    console.print(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory of the bench process: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
