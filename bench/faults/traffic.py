"""The steady stream of customer messages, sent as a platform would: retried until accepted.

A batch refused (429/503) or cut off (the ingest process killed, a timeout) is sent again
as it was, with the same message ids, so ingest's and the router's deduplication are what
keeps a message from being stored twice.
"""

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from socialcare_router.domain.threading import message_key

INGEST_KEY = {"X-API-Key": "dev-ingest-key"}
BRAND = "acmeshop"
TEXTS = ("@acmeshop my order still hasn't arrived, it's been 2 weeks!",
         "@acmeshop the app keeps logging me out, please help",
         "@acmeshop love the new store, thanks for the quick delivery",
         "@acmeshop I was charged twice for the same order, refund please")


@dataclass
class TrafficStats:
    offered: int = 0
    accepted: set[str] = field(default_factory=set)  # message keys answered 202
    retried_batches: int = 0
    refused: int = 0  # 429 / 5xx answers
    cut_off: int = 0  # connection refused or reset, timeouts
    rejected: list[str] = field(default_factory=list)  # batches given up on, with why
    done: bool = False


def customer_message(run: str, i: int, customers: int) -> dict:
    """Message ``i`` of the run; customer ``i % customers`` writes every ``customers``-th one."""
    return {"platform": "x", "channel": "mention", "brand_account": BRAND,
            "platform_message_id": f"{run}-{i}",
            "author": {"id": f"{run}-cust-{i % customers}", "handle": f"customer{i % customers}"},
            "text": TEXTS[i % len(TEXTS)], "created_at": datetime.now(UTC).isoformat()}


async def drive(ingest_url: str, run: str, messages: int, rate_per_s: float, customers: int,
                stats: TrafficStats, batch: int = 10, give_up_s: float = 180.0) -> None:
    """Offers ``messages`` at ``rate_per_s`` in batches; returns when every batch settled."""
    limits = asyncio.Semaphore(32)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=ingest_url, headers=INGEST_KEY, timeout=15) as client:
        tasks = []
        for first in range(0, messages, batch):
            await asyncio.sleep(max(0.0, started + first / rate_per_s - time.monotonic()))
            items = [customer_message(run, i, customers)
                     for i in range(first, min(messages, first + batch))]
            stats.offered += len(items)
            await limits.acquire()
            task = asyncio.create_task(_send(client, items, stats, give_up_s))
            task.add_done_callback(lambda _: limits.release())
            tasks.append(task)
        await asyncio.gather(*tasks)
    stats.done = True


async def _send(client: httpx.AsyncClient, items: list[dict], stats: TrafficStats,
                give_up_s: float) -> None:
    deadline = time.monotonic() + give_up_s
    first = True
    while time.monotonic() < deadline:
        if not first:
            stats.retried_batches += 1
        first = False
        try:
            answer = await client.post("/v1/messages", json={"messages": items})
        except httpx.TransportError:
            stats.cut_off += 1
            await asyncio.sleep(0.5)
            continue
        if answer.status_code == 202:
            stats.accepted.update(message_key("x", BRAND, m["platform_message_id"])
                                  for m in answer.json()["accepted"])
            return
        if answer.status_code == 429 or answer.status_code >= 500:
            stats.refused += 1
            await asyncio.sleep(min(2.0, float(answer.headers.get("Retry-After", 1))))
            continue
        stats.rejected.append(f"{answer.status_code}: {answer.text[:200]}")
        return
    stats.rejected.append(f"not accepted within {give_up_s:.0f} s")
