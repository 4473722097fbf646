"""The inbox API process's own search index, for servers without ``$text`` (see search.py).

Built at start from MongoDB, then kept current from Kafka: the SQLite side is fts_index.py,
driven here from one worker thread so the event loop never waits on it.
"""

import asyncio
import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_contracts.cloudevents import InvalidEvent, decode
from socialcare_contracts.events import ConversationUpdated, MessageClassified, ReplySent
from socialcare_router.adapters.fts_index import FtsIndex, Row
from socialcare_router.domain.search import MessageMatch, SearchQuery, fts5_match
from socialcare_router.domain.threading import message_key
from socialcare_runtime.mongo import TRANSIENT_ERRORS

log = logging.getLogger(__name__)
T = TypeVar("T")
BATCH = 2_000
LOOKUP = 500
MESSAGE_FIELDS = {"conversation_id": 1, "created_at": 1, "text": 1, "direction": 1,
                  "author.handle": 1, "author.display_name": 1}


BUILD_WAIT_S = 10.0


@dataclass(frozen=True)
class Feed:
    """Where the local index hears of stored messages and new conversations."""

    bootstrap: str
    classified: str
    replies_sent: str
    updated: str
    lookback_s: float = 3600.0


def aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def row_of(doc: dict[str, Any]) -> Row | None:
    """A stored message as the local index keeps it; None when it has no conversation."""
    if not doc.get("conversation_id") or doc.get("created_at") is None:
        return None
    author = doc.get("author") or {}
    # Only the customer's own name and handle: a brand's would match all its conversations.
    who = " ".join(filter(None, (author.get("handle"), author.get("display_name")))) \
        if doc.get("direction") == "inbound" else ""
    return (doc["_id"], doc["conversation_id"], aware(doc["created_at"]),
            doc.get("text") or "", who)


class LocalSearch:
    backend = "sqlite-fts5"

    def __init__(self, db: AsyncDatabase, feed: Feed, directory: Path | None = None,
                 resolve_s: float = 1.0, pending_ttl_s: float = 3600.0) -> None:
        self.db = db
        self.feed = feed
        self.resolve_s = resolve_s
        self.pending_ttl_s = pending_ttl_s
        self._dir = Path(tempfile.mkdtemp(prefix="socialcare-search-", dir=directory))
        self._index = FtsIndex(self._dir / "messages.sqlite")
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="search-index")
        self._wake = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._built = asyncio.Event()

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    async def start(self) -> None:
        """Takes positions in the topics, builds the index from MongoDB, then follows them."""
        # In no consumer group (aiokafka then assigns every partition): each process reads
        # all of them, with no group to join at start or to be dropped from while MongoDB
        # is away.
        feed = self.feed
        self._consumer = AIOKafkaConsumer(
            feed.classified, feed.replies_sent, feed.updated, bootstrap_servers=feed.bootstrap,
            group_id=None, enable_auto_commit=False, auto_offset_reset="latest")
        await self._consumer.start()
        # Positions first, then the scan: whatever is stored meanwhile is read from Kafka.
        await self._seek_back(self._consumer)
        # Built in the background: the inbox API serves everything else at once, and a
        # search waits for the index (BUILD_WAIT_S at most) instead of the whole API
        # waiting at start-up (6.3 s at 100,000 messages, minutes at millions).
        self._tasks = [asyncio.create_task(self._build_then_follow(self._consumer))]

    async def _build_then_follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            try:
                await self._build()
                break
            except TRANSIENT_ERRORS as exc:
                # MongoDB away at start: scan again; rows already in are skipped.
                log.warning("search index build: %s; again in 5 s", type(exc).__name__)
                await asyncio.sleep(5)
        self._built.set()
        await asyncio.gather(self._follow(consumer), self._resolve_forever())

    async def _build(self) -> None:
        started = time.monotonic()
        conversations = await self._scan(
            self.db.conversations.find({}, {"brand_account": 1}, batch_size=BATCH),
            lambda d: (d["_id"], d["brand_account"]), self._index.add_conversations)
        messages = await self._scan(
            self.db.messages.find({}, MESSAGE_FIELDS, batch_size=BATCH), row_of,
            lambda rows: self._index.add_messages(rows, ()))
        log.info("search index built from %d conversations and %d messages in %.1f s",
                 conversations, messages, time.monotonic() - started)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._consumer is not None:
            await self._consumer.stop()
        await self._run(self._index.close)
        self._thread.shutdown()
        shutil.rmtree(self._dir, ignore_errors=True)

    async def search(self, query: SearchQuery, brands: list[str] | None,
                     limit: int) -> list[MessageMatch]:
        if not self._built.is_set():
            with contextlib.suppress(TimeoutError):  # then what is indexed so far
                await asyncio.wait_for(self._built.wait(), BUILD_WAIT_S)
        return await self._run(self._index.search, fts5_match(query), brands, limit)

    async def _seek_back(self, consumer: AIOKafkaConsumer) -> None:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=50)
        since_ms = int((time.time() - self.feed.lookback_s) * 1000)
        offsets = await consumer.offsets_for_times(
            {tp: since_ms for tp in consumer.assignment()})
        for tp, found in offsets.items():
            if found is None:
                await consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, found.offset)

    async def _scan(self, cursor: AsyncIterator[dict[str, Any]],
                    convert: Callable[[dict[str, Any]], Any], add: Callable[[list[Any]], None]
                    ) -> int:
        """Feeds a cursor to the index a batch at a time; how many rows it added."""
        batch: list[Any] = []
        count = 0
        async for doc in cursor:
            if (row := convert(doc)) is not None:
                batch.append(row)
            if len(batch) >= BATCH:
                await self._run(add, batch)
                count, batch = count + len(batch), []
        await self._run(add, batch)
        return count + len(batch)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=1000, max_records=LOOKUP)
            records = [r for records in batches.values() for r in records]
            while True:
                try:
                    await self._take(records)
                    break
                except Exception as exc:  # MongoDB away: the same batch again, never skipped
                    log.warning("search index could not take a Kafka batch: %s",
                                type(exc).__name__)
                    await asyncio.sleep(1.0)

    async def _take(self, records: Iterable[ConsumerRecord]) -> None:
        keys: list[str] = []
        conversations: list[tuple[str, str]] = []
        sent: list[ReplySent] = []
        for record in records:
            try:
                if record.topic == self.feed.classified:
                    m = decode(record.value, record.headers, MessageClassified).data.message
                    keys.append(message_key(m.platform, m.brand_account, m.platform_message_id))
                elif record.topic == self.feed.updated:
                    u = decode(record.value, record.headers, ConversationUpdated).data
                    conversations.append((u.conversation_id, u.brand_account))
                else:
                    sent.append(decode(record.value, record.headers, ReplySent).data)
            except InvalidEvent:
                log.warning("search index skipped an undecodable record of %s at offset %d",
                            record.topic, record.offset)
        if conversations:
            await self._run(self._index.add_conversations, conversations)
            # The router publishes a change once it stored the message: look it up now.
            self._wake.set()
        await self._learn_brands([r.conversation_id for r in sent])
        for reply in sent:
            # An agent's reply is stored under its brand's key, like any platform message.
            brand = await self._run(self._index.brand_of, reply.conversation_id)
            if brand is not None:
                keys.append(message_key(reply.platform, brand, reply.platform_message_id))
        if keys and await self._run(self._index.await_messages, keys):
            self._wake.set()

    async def _learn_brands(self, conversation_ids: list[str]) -> None:
        """Adds the brands of conversations the index has not heard of (by _id)."""
        unknown = await self._run(self._index.unknown_conversations, conversation_ids)
        if unknown:
            found = await self.db.conversations.find(
                {"_id": {"$in": unknown}}, {"brand_account": 1}).to_list()
            await self._run(self._index.add_conversations,
                            [(d["_id"], d["brand_account"]) for d in found])

    async def _resolve_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.resolve_s)
            self._wake.clear()
            try:
                await self.resolve()
            except Exception as exc:  # MongoDB away: the keys stay pending for the next round
                log.warning("search index could not look up messages: %s", type(exc).__name__)

    async def resolve(self) -> None:
        """Indexes the awaited messages MongoDB now holds (by _id, newest first)."""
        keys = await self._run(self._index.pending, 10 * LOOKUP)
        for at in range(0, len(keys), LOOKUP):
            part = keys[at:at + LOOKUP]
            docs = await self.db.messages.find({"_id": {"$in": part}}, MESSAGE_FIELDS) \
                .to_list()
            rows = [row for d in docs if (row := row_of(d)) is not None]
            await self._learn_brands([row[1] for row in rows])
            await self._run(self._index.add_messages, rows, [d["_id"] for d in docs])
        dropped = await self._run(self._index.give_up_before, time.time() - self.pending_ttl_s)
        if dropped:
            log.warning("search index gave up on %d messages never stored", dropped)
