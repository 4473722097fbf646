"""End-to-end latency: ingest accepted -> conversation stored, for N messages at a fixed rate.

    scripts/uv run --frozen python -m bench.pipeline_latency --messages 1000 --rate 200

Starts (or reuses) the local stack, offers the messages one per request through the real
front door at the given rate, waits until the router stored all of them, and reads each
message's latency from MongoDB (``stored_at - received_at``: both taken on this machine).
"""

import argparse
import asyncio
import os
import time

import aiohttp
from pymongo import MongoClient
from pymongo.collection import Collection
from rich.progress import Progress

from bench.common import (
    console,
    message,
    new_run_id,
    percentile,
    remove_run,
    running_stack,
    table,
)

INGEST = "http://127.0.0.1:8081/v1/messages"


async def offer(run: str, count: int, rate: float, url: str = INGEST) -> tuple[int, float]:
    """Posts ``count`` messages at ``rate``/s to ``url``; returns (accepted, seconds taken)."""
    accepted = 0
    start = time.perf_counter()
    # aiohttp rather than httpx: on two cores the load generator must cost little CPU.
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector,
                                     headers={"X-API-Key": "dev-ingest-key"}) as client:
        async def post(i: int) -> None:
            nonlocal accepted
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            async with client.post(url, json=message(run, i)) as response:
                accepted += response.status == 202

        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("offering", total=count)
            pending = [asyncio.create_task(post(i)) for i in range(count)]
            for done in asyncio.as_completed(pending):
                await done
                progress.advance(task)
    return accepted, time.perf_counter() - start


def wait_stored(messages: Collection, run: str, expected: int) -> list[dict]:
    """Waits (at most two minutes) until the router stored a run's messages; returns them."""
    query = {"conversation_id": {"$exists": True}, "_id": {"$regex": f"^x:bench{run}:"}}
    start = time.monotonic()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("waiting for the router", total=expected)
        while (stored := messages.count_documents(query)) < expected:
            progress.update(task, completed=stored)
            if time.monotonic() - start > 120:
                break
            time.sleep(0.25)
    return list(messages.find(query, {"received_at": 1, "stored_at": 1}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="offered messages per second")
    args = parser.parse_args()
    endpoints = running_stack()
    database = os.environ.get("SOCIALCARE_MONGO_DATABASE", "socialcare")
    db = MongoClient(endpoints.mongo_url, tz_aware=True)[database]
    messages = db.messages
    # Warm-up: freshly started workers take seconds to fetch their first records, and a
    # backlog made then would be measured as latency of the whole run.
    warmup = new_run_id()
    asyncio.run(offer(warmup, 50, 50.0))
    wait_stored(messages, warmup, 50)
    run = new_run_id()
    accepted, offered_s = asyncio.run(offer(run, args.messages, args.rate))
    docs = wait_stored(messages, run, accepted)
    for finished in (warmup, run):
        remove_run(db, finished)
    latencies = [(d["stored_at"] - d["received_at"]).total_seconds() * 1000 for d in docs]
    table(f"ingest accepted -> conversation stored ({args.messages} messages at "
          f"{args.rate:.0f}/s offered)", [
        ("accepted by ingest", float(accepted)),
        ("stored by the router", float(len(docs))),
        ("offered rate achieved, msg/s", accepted / offered_s),
        ("p50 latency, ms", percentile(latencies, 0.50)),
        ("p95 latency, ms", percentile(latencies, 0.95)),
        ("p99 latency, ms", percentile(latencies, 0.99)),
        ("max latency, ms", max(latencies)),
    ])


if __name__ == "__main__":
    main()
