"""A scripted agent working the inbox API as a person would: claim, reply, resolve.

Each reply carries an Idempotency-Key derived from the conversation and how many messages
it had when the agent answered, and every retry of that reply sends the same key, so a
lost answer (the inbox process killed, MongoDB or Kafka restarting) never queues it twice.
"""

import asyncio
import time
from dataclasses import dataclass, field

import httpx

AGENT_KEY = {"X-API-Key": "dev-agent-key"}
QUEUE = "general"


@dataclass
class RequestedReply:
    reply_id: str
    conversation_id: str
    idempotency_key: str


@dataclass
class AgentStats:
    replies: dict[str, RequestedReply] = field(default_factory=dict)  # reply id -> reply
    claims: int = 0
    resolved: int = 0
    retries: int = 0
    abandoned: list[str] = field(default_factory=list)  # replies never queued, with why


class ScriptedAgent:
    def __init__(self, inbox_url: str, stats: AgentStats, concurrency: int = 6,
                 retry_for_s: float = 120.0) -> None:
        self.inbox_url = inbox_url
        self.stats = stats
        self.retry_for_s = retry_for_s
        self._slots = asyncio.Semaphore(concurrency)
        self._busy: set[str] = set()
        self._answered: set[str] = set()  # idempotency keys already settled

    async def work(self, stop: asyncio.Event) -> None:
        """Works the queue until ``stop`` is set, then finishes what it started."""
        async with httpx.AsyncClient(base_url=self.inbox_url, headers=AGENT_KEY,
                                     timeout=15) as client:
            tasks: set[asyncio.Task] = set()
            while not stop.is_set():
                page = await self._call(client, "GET", f"/v1/queues/{QUEUE}/conversations",
                                        params={"limit": 100})
                for item in (page.json()["items"] if page is not None else []):
                    key = f"{item['id']}:{item['message_count']}"
                    if item["id"] in self._busy or key in self._answered:
                        continue
                    self._busy.add(item["id"])
                    task = asyncio.create_task(self._handle(client, item, key))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await asyncio.sleep(0.5)
            await asyncio.gather(*tasks)

    async def _handle(self, client: httpx.AsyncClient, item: dict, key: str) -> None:
        conversation = item["id"]
        try:
            async with self._slots:
                if item.get("assignee") is None:
                    claimed = await self._call(client, "POST",
                                               f"/v1/conversations/{conversation}/claim")
                    if claimed is None or claimed.status_code != 200:
                        return  # someone (an earlier attempt of ours) has it: next page
                    self.stats.claims += 1
                reply = await self._call(
                    client, "POST", f"/v1/conversations/{conversation}/replies",
                    json={"text": f"Sorry about that, we're on it (ref {item['message_count']})."},
                    headers={"Idempotency-Key": key})
                if reply is None or reply.status_code != 202:
                    why = "no answer" if reply is None else f"{reply.status_code} {reply.text}"
                    self.stats.abandoned.append(f"{key}: {why[:200]}")
                    return
                reply_id = reply.json()["reply_id"]
                self.stats.replies[reply_id] = RequestedReply(reply_id, conversation, key)
                self._answered.add(key)
                done = await self._call(client, "POST",
                                        f"/v1/conversations/{conversation}/resolve")
                if done is not None and done.status_code == 200:
                    self.stats.resolved += 1
        finally:
            self._busy.discard(conversation)

    async def _call(self, client: httpx.AsyncClient, method: str, url: str,
                    **kwargs: object) -> httpx.Response | None:
        """One request, retried on 5xx and cut-off connections; None when it never got one."""
        deadline = time.monotonic() + self.retry_for_s
        while True:
            try:
                answer = await client.request(method, url, **kwargs)
                if answer.status_code < 500:
                    return answer
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                return None
            self.stats.retries += 1
            await asyncio.sleep(0.5)
