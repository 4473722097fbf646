"""Inbox search backends: MongoDB's text index where the server has one, else SQLite FTS5.

Which runs where, and why (chosen once, at start, by ``open_search``):

- MongoDB 7+ (production): ``$text`` over a text index on the messages' text and author
  (created here). The server keeps it current with every write, so nothing else runs.
  ``$text`` matches whole words and their English stems ("refunds" finds "refund"), not
  the start of a word: on MongoDB "refun" finds nothing.
- mongo-java-server (the local default and the tests) accepts a text index but refuses
  ``$text``, and scans the collection for any query not on ``_id``. There the inbox API
  process keeps its own SQLite FTS5 index (the stdlib's sqlite3) in a temporary file:
  built at start from one batched, projected pass over ``messages`` (and one over
  ``conversations`` for their brands), then kept current from Kafka by a consumer group of
  its own. A customer message is stored by the router after its ``messages.classified``
  event, so the event's key waits until MongoDB holds the message (looked up by ``_id``);
  ``replies.sent`` brings agents' replies, ``conversations.updated`` new conversations'
  brands. Each process reads the topics from ``lookback_s`` before its start, so what
  the router stored while the index was being built is caught too.

Nothing here logs a message's text, a handle or a query.
"""

import asyncio
import contextlib
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pymongo import DESCENDING, TEXT, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from socialcare_contracts.cloudevents import InvalidEvent, decode
from socialcare_contracts.events import ConversationUpdated, MessageClassified, ReplySent
from socialcare_router.adapters.fts_index import FtsIndex, Row
from socialcare_router.domain.search import (
    MessageMatch,
    SearchQuery,
    fts5_match,
    mongo_text_search,
)
from socialcare_router.domain.threading import message_key

log = logging.getLogger(__name__)
T = TypeVar("T")
BATCH = 2_000
LOOKUP = 500
MESSAGE_FIELDS = {"conversation_id": 1, "created_at": 1, "text": 1, "direction": 1,
                  "author.handle": 1, "author.display_name": 1}
TEXT_INDEX = IndexModel([("text", TEXT), ("author.handle", TEXT),
                         ("author.display_name", TEXT)],
                        name="message_search", default_language="english",
                        # Messages carry no top-level "language": keep it that way for $text.
                        language_override="search_language")


class SearchIndex(Protocol):
    backend: str

    async def search(self, query: SearchQuery, brands: list[str] | None,
                     limit: int) -> list[MessageMatch]:
        """The newest matching message of up to ``limit`` conversations, newest first."""
        ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class Feed:
    """Where the local index hears of stored messages and new conversations."""

    bootstrap: str
    classified: str
    replies_sent: str
    updated: str
    group_prefix: str = ""
    lookback_s: float = 3600.0


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def row_of(doc: dict[str, Any]) -> Row | None:
    """A stored message as the local index keeps it; None when it has no conversation."""
    if not doc.get("conversation_id") or doc.get("created_at") is None:
        return None
    author = doc.get("author") or {}
    # Only the customer's own name and handle: a brand's would match all its conversations.
    who = " ".join(filter(None, (author.get("handle"), author.get("display_name")))) \
        if doc.get("direction") == "inbound" else ""
    return (doc["_id"], doc["conversation_id"], _aware(doc["created_at"]),
            doc.get("text") or "", who)


class MongoTextSearch:
    backend = "mongodb-text"

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def probe(self) -> bool:
        """Whether the server answers ``$text``; if so, creates the messages' text index.

        Tried on a scratch collection holding a document: mongo-java-server only fails
        when it evaluates ``$text`` against one, so an empty collection would pass.
        """
        scratch = self.db[f"search_probe_{uuid.uuid4().hex[:8]}"]
        try:
            await scratch.create_indexes([TEXT_INDEX])
            await scratch.insert_one({"text": "probe"})
            found = await scratch.find({"$text": {"$search": "probe"}}).to_list()
            if len(found) != 1:
                raise OperationFailure("$text did not find the probe", 0)
            await self.db.messages.create_indexes([TEXT_INDEX])
        except OperationFailure as exc:
            log.info("MongoDB text search unavailable (code %s): using SQLite FTS5", exc.code)
            return False
        finally:
            await scratch.drop()
        return True

    async def search(self, query: SearchQuery, brands: list[str] | None,
                     limit: int) -> list[MessageMatch]:
        scope = [{"$match": {"brand": {"$in": brands}}}] if brands is not None else []
        pipeline = [
            {"$match": {"$text": {"$search": mongo_text_search(query)},
                        "conversation_id": {"$nin": [None, ""]}}},
            {"$sort": {"created_at": DESCENDING}},
            {"$group": {"_id": "$conversation_id", "key": {"$first": "$_id"},
                        "text": {"$first": "$text"}, "at": {"$first": "$created_at"}}},
            # The conversation's brand, by _id, only for those that matched.
            {"$lookup": {"from": "conversations", "localField": "_id", "foreignField": "_id",
                         "pipeline": [{"$project": {"brand_account": 1}}], "as": "c"}},
            {"$set": {"brand": {"$first": "$c.brand_account"}}},
            *scope,
            {"$sort": {"at": DESCENDING, "_id": DESCENDING}},
            {"$limit": limit},
        ]
        cursor = await self.db.messages.aggregate(pipeline, allowDiskUse=True)
        return [MessageMatch(d["_id"], d["key"], d.get("text") or "", _aware(d["at"]))
                async for d in cursor]

    async def stop(self) -> None:
        return None


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

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    async def start(self) -> None:
        """Joins the topics, builds the index from MongoDB, then follows the topics."""
        feed = self.feed
        self._consumer = AIOKafkaConsumer(
            feed.classified, feed.replies_sent, feed.updated, bootstrap_servers=feed.bootstrap,
            group_id=f"{feed.group_prefix}socialcare-inbox-search-{uuid.uuid4().hex[:12]}",
            auto_offset_reset="latest", enable_auto_commit=False)
        await self._consumer.start()
        # Positions first, then the scan: whatever is stored meanwhile is read from Kafka.
        await self._seek_back(self._consumer)
        started = time.monotonic()
        conversations = await self._scan(
            self.db.conversations.find({}, {"brand_account": 1}, batch_size=BATCH),
            lambda d: (d["_id"], d["brand_account"]), self._index.add_conversations)
        messages = await self._scan(
            self.db.messages.find({}, MESSAGE_FIELDS, batch_size=BATCH), row_of,
            lambda rows: self._index.add_messages(rows, ()))
        log.info("search index built from %d conversations and %d messages in %.1f s",
                 conversations, messages, time.monotonic() - started)
        self._tasks = [asyncio.create_task(self._follow(self._consumer)),
                       asyncio.create_task(self._resolve_forever())]

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
            try:
                batches = await consumer.getmany(timeout_ms=1000, max_records=LOOKUP)
                await self._take([r for records in batches.values() for r in records])
            except Exception as exc:  # a failed batch is retried from MongoDB's side later
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


async def conversations_by_id(db: AsyncDatabase, ids: list[str]) -> dict[str, dict[str, Any]]:
    """What a result shows of each conversation, as it stands now (one query, by _id)."""
    cursor = db.conversations.find({"_id": {"$in": ids}}, {
        "brand_account": 1, "platform": 1, "customer": 1, "status": 1})
    return {c["_id"]: c for c in await cursor.to_list()}


async def open_search(db: AsyncDatabase, feed: Feed, directory: Path | None = None
                      ) -> SearchIndex:
    """The backend this server allows, started: MongoDB's ``$text``, else local FTS5."""
    text = MongoTextSearch(db)
    if await text.probe():
        return text
    local = LocalSearch(db, feed, directory)
    try:
        await local.start()
    except BaseException:
        await local.stop()
        raise
    return local
