"""The front door under load: the traffic schedule POSTed to ingest, and a scripted agent.

aiohttp rather than httpx: on two cores the load generator must cost little CPU.
"""

import asyncio
import json
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from aiokafka import AIOKafkaConsumer

from bench.spike.source import MessageSource
from bench.spike.traffic import SPIKE, TrafficModel


@dataclass(frozen=True)
class Request:
    """One POST /v1/messages: when it was due, how many messages, the answer, how long."""

    due_s: float
    messages: int
    status: int
    seconds: float

    @property
    def accepted(self) -> int:
        return self.messages if self.status == 202 else 0


async def offer(url: str, api_key: str, model: TrafficModel, source: MessageSource,
                started: float, tick_s: float = 0.05, max_batch: int = 500,
                on_tick: Callable[[float], None] | None = None,
                burst_share: float = 0.0) -> list[Request]:
    """Offers the model's schedule open loop from ``started`` (a perf_counter time), with
    ``burst_share`` of the spike's messages the burst's.

    Requests are not awaited before the next is due: a slow ingest makes them queue (and
    shows in the acceptance rate), never slows the offered rate down.
    """
    results: list[Request] = []
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers={"X-API-Key": api_key}) as session:
        async def post(due: float, batch: list[dict]) -> None:
            sent = time.perf_counter()
            try:
                async with session.post(url, json={"messages": batch}) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            results.append(Request(due, len(batch), status, time.perf_counter() - sent))

        pending = []
        for due, count in model.batches(tick_s):
            await asyncio.sleep(max(0.0, started + due - time.perf_counter()))
            now = datetime.now(UTC).isoformat()
            share = burst_share if model.phase_at(due) == SPIKE else 0.0
            messages = [source.message(now, share) for _ in range(count)]
            for first in range(0, count, max_batch):
                pending.append(asyncio.create_task(post(due, messages[first:first + max_batch])))
            if on_tick is not None:
                on_tick(due)
        await asyncio.gather(*pending)
    return results


class ScriptedAgent:
    """Replies through the inbox API to a sample of new conversations, as an agent would.

    It learns of them from the conversations.updated topic (as a live inbox view does), so
    it adds no load to MongoDB; ReplySent times are read from the database afterwards.
    """

    def __init__(self, inbox_url: str, api_key: str, bootstrap: str, topic: str,
                 share: float) -> None:
        self.inbox_url = inbox_url
        self.api_key = api_key
        self.bootstrap = bootstrap
        self.topic = topic
        self.every = max(1, round(1 / share)) if share > 0 else 0
        self.requested = 0
        self.refused = 0

    def sampled(self, conversation_id: str) -> bool:
        return bool(self.every) and zlib.crc32(conversation_id.encode()) % self.every == 0

    async def run(self, ready: asyncio.Event) -> None:
        """Until cancelled; ``ready`` is set once it reads the topic from its end."""
        consumer = AIOKafkaConsumer(self.topic, bootstrap_servers=self.bootstrap,
                                    auto_offset_reset="latest", enable_auto_commit=False)
        await consumer.start()
        try:
            await consumer.getmany(timeout_ms=500)  # joins and seeks to the end
            ready.set()
            async with aiohttp.ClientSession(headers={"X-API-Key": self.api_key}) as session:
                replies: set[asyncio.Task] = set()
                async for record in consumer:
                    event = json.loads(record.value)
                    if event.get("change") == "created" and self.sampled(event["conversation_id"]):
                        task = asyncio.create_task(self._reply(session, event["conversation_id"]))
                        replies.add(task)
                        task.add_done_callback(replies.discard)
        finally:
            await consumer.stop()

    async def _reply(self, session: aiohttp.ClientSession, conversation_id: str) -> None:
        url = f"{self.inbox_url}/v1/conversations/{conversation_id}/replies"
        body = {"text": "Thanks for reaching out! We are looking into it now. ^SB"}
        try:
            async with session.post(url, json=body,
                                    headers={"Idempotency-Key": f"spike-{conversation_id}"}) as r:
                await r.read()
                ok = r.status == 202
        except aiohttp.ClientError:
            ok = False
        self.requested += ok
        self.refused += not ok
