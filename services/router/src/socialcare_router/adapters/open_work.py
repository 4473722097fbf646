"""Open work kept apart from history: one small entry per unresolved conversation.

Queue views, claims' lists, an agent's held work and the queue gauges read ``open_work``,
never ``conversations``, so what they cost follows the open work, not everything ever
stored: mongo-java-server, the embedded default, ignores secondary indexes and scans a
collection for any query not on ``_id``, and on MongoDB 7 the indexes stay small. An
entry holds what lists filter and sort on, under the conversation's own field names (so
one query reads either collection), plus its ``version``::

    {"_id": "c_1f…", "version": 7, "queue": "care", "status": "open", "due_at": …, …}

The repository writes an entry *before* each conversation write (an open conversation
is then never missing from the views), and after a write that resolves it deletes the
entry of that version only (a reopen racing the delete keeps its own). An entry is
therefore a hint: one written for a change that then lost a version race, or whose
process died before the conversation write, differs from its conversation. Pages load
their conversations by ``_id`` anyway and compare each with its entry; one that differs
is rewritten from the conversation and the page is read again. A store written before
this collection existed is adopted once (one scan of the unresolved conversations).

The unfiltered queue page by due time does not read these entries: each write also enters
the conversation in a keyed page bucket (adapters/page_buckets), before the conversation
write like the entry, and a write that moves it out drops it from the bucket of the entry
it replaced. Pages by priority, filtered pages and an agent's own list read the entries,
and are the ones that repair them.
"""

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from cachetools import LRUCache
from pymongo import ASCENDING, DESCENDING, DeleteOne, IndexModel, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.adapters.coalescing import Coalescer
from socialcare_router.adapters.page_buckets import PageBuckets, Placement, placement_of

Document = dict[str, Any]
RESOLVED = "resolved"
# What lists filter and sort on; ``status`` and ``version`` tell a current entry.
FIELDS = ("version", "queue", "status", "state", "assignee", "brand_account", "due_at",
          "priority", "platform", "intents", "language", "sentiment", "tags", "escalation")
INDEXES = [
    # Lets mongo-java-server find an entry by (_id, version) from an index: the resolve's
    # delete of its own version only.
    IndexModel([("_id", ASCENDING), ("version", ASCENDING)], name="id_version", unique=True),
    # MongoDB 7: the queue views' equality prefixes and sorts (see Store.queue_page).
    IndexModel([("queue", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)],
               name="queue_status_due"),
    IndexModel([("assignee", ASCENDING), ("status", ASCENDING), ("due_at", ASCENDING)],
               name="assignee_status_due"),
    IndexModel([("queue", ASCENDING), ("status", ASCENDING), ("priority", DESCENDING),
                ("due_at", ASCENDING)], name="queue_status_priority_due"),
    IndexModel([("assignee", ASCENDING), ("status", ASCENDING), ("priority", DESCENDING),
                ("due_at", ASCENDING)], name="assignee_status_priority_due"),
]
ADOPTED = "open work adopted"
PAGES_ADOPTED = "page buckets adopted"
PLACED = {"queue": 1, "status": 1, "due_at": 1, "version": 1}  # what names its page bucket
PAGE_ATTEMPTS = 3
ADOPT_BATCH = 1_000
# When a write placed its entry (not one of FIELDS: never compared with a conversation).
PLACED_AT = "placed_at"
# An entry ahead of its conversation (or of one not stored yet) is a write under way for
# this long; past it, the write is taken as lost (its process died, or it lost a version
# race) and the entry is repaired from the conversation.
WRITE_UNDER_WAY = timedelta(seconds=60)


def entry_of(doc: Document) -> Document:
    """The entry of a stored (or about to be stored) conversation document."""
    return {"_id": doc["_id"], **{name: doc.get(name) for name in FIELDS}}


def matches(entry: Document, doc: Document | None) -> bool:
    """Whether an entry says what its stored conversation says."""
    return doc is not None and entry_of(doc) == {k: v for k, v in entry.items()
                                                 if k != PLACED_AT}


def under_way(entry: Document, doc: Document | None, now: datetime) -> bool:
    """Whether an entry that differs from its conversation is a write not stored yet: ahead
    of the stored version (or of no conversation at all), and placed moments ago."""
    placed = entry.get(PLACED_AT)
    if placed is None or now - (placed if placed.tzinfo else placed.replace(tzinfo=UTC)) \
            > WRITE_UNDER_WAY:
        return False
    return doc is None or (doc.get("version") or 0) < (entry.get("version") or 0)


def _write_of(doc: Document) -> tuple[str, Any]:
    # The repository marks each write attempt: two racing writes of one version differ.
    return doc["_id"], doc.get("write_id", doc.get("version"))


def is_open(doc: Document) -> bool:
    """Whether a conversation document belongs in the open work."""
    return doc.get("status") != RESOLVED


class OpenWork:
    def __init__(self, db: AsyncDatabase) -> None:
        self.entries: AsyncCollection = db.open_work
        self.marks = db.open_work_marks
        # A batch's conversations are written together: their entries travel as one bulk
        # (two writes for one conversation never share it, so they keep their order).
        self._write = Coalescer(self._bulk, lambda item: item[0])
        # Queue pages by due time read keyed buckets (adapters/page_buckets); a write that
        # moves a conversation drops its old bucket entry, known from the entry it replaced.
        self.buckets = PageBuckets(db)
        # Per write attempt; a write that lost its race never comes to after_write.
        self._left: LRUCache[tuple[str, Any], Placement] = LRUCache(maxsize=10_000)

    # --- writes (the repository's) ----------------------------------------------------

    async def before_write(self, doc: Document) -> None:
        """Enters the conversation as it is about to be stored (resolved ones included, so
        that the delete after the write can name the version it removes)."""
        entry = {**entry_of(doc), PLACED_AT: datetime.now(UTC)}
        placement = placement_of(entry)
        old, _ = await asyncio.gather(self._write((entry["_id"], entry)),
                                      self.buckets.place(placement)
                                      if placement is not None else asyncio.sleep(0))
        left = placement_of(old) if old is not None else None
        # Only what this write replaces: an entry as new as this write is a concurrent
        # writer's (one that may win), and stays.
        if left is not None and (placement is None or left.bucket != placement.bucket) \
                and (left.value[1] or 0) < (entry["version"] or 0):
            self._left[_write_of(doc)] = left

    async def after_write(self, doc: Document) -> None:
        """A resolved conversation leaves the open work; a newer entry stays. A moved one
        leaves the bucket it was in, unless a later write has put it there again."""
        left = self._left.pop(_write_of(doc), None)
        if left is not None:
            await self.buckets.remove([left])
        if not is_open(doc):
            await self._write((doc["_id"], DeleteOne({"_id": doc["_id"],
                                                      "version": doc.get("version")})))

    async def repair(self, docs: Iterable[Document | None], ids: Iterable[str]) -> None:
        """Rewrites the entries of ``ids`` from their conversations (``docs``, as stored)."""
        stored = {d["_id"]: d for d in docs if d is not None}
        requests = [ReplaceOne({"_id": i}, entry_of(stored[i]), upsert=True)
                    if i in stored and is_open(stored[i]) else DeleteOne({"_id": i})
                    for i in ids]
        if requests:
            await self.entries.bulk_write(requests, ordered=False)
        await self.buckets.place_all(stored[i] for i in ids if i in stored)

    async def _bulk(self, items: list[tuple[str, Document | DeleteOne]]
                    ) -> list[Document | None]:
        """Writes entries (or deletes); answers each written entry's previous one."""
        written = [i for i, change in items if isinstance(change, dict)]
        if len(items) == 1 and written:
            # An inbox action writes one alone: its old entry comes back in the same request.
            return [await self.entries.find_one_and_replace(
                {"_id": written[0]}, items[0][1], PLACED, upsert=True)]
        old = {d["_id"]: d async for d in self.entries.find(
            {"_id": {"$in": written}}, PLACED)} if written else {}
        await self.entries.bulk_write(
            [ReplaceOne({"_id": i}, change, upsert=True) if isinstance(change, dict)
             else change for i, change in items], ordered=False)
        return [old.get(i) if isinstance(change, dict) else None for i, change in items]

    # --- reads --------------------------------------------------------------------------

    async def page(self, query: Document, order: list[tuple[str, int]], limit: int,
                   conversations: AsyncCollection, projection: Document) -> list[Document]:
        """The conversations of one page of entries, each checked against its entry."""
        for attempt in range(PAGE_ATTEMPTS):
            entries = await self.entries.find(query).sort(order).limit(limit).to_list()
            ids = [e["_id"] for e in entries]
            found = {d["_id"]: d async for d in conversations.find(
                {"_id": {"$in": ids}}, projection)} if ids else {}
            now = datetime.now(UTC)
            differ = [e for e in entries if not matches(e, found.get(e["_id"]))]
            # A write under way is left alone (and its conversation left off this page):
            # dropping its entry before its conversation lands would lose the conversation
            # from every list that reads entries until its next write.
            stale = [e["_id"] for e in differ if not under_way(e, found.get(e["_id"]), now)]
            shown = [i for i in ids if i in found and i not in {e["_id"] for e in differ}]
            if not stale or attempt == PAGE_ATTEMPTS - 1:
                return [found[i] for i in shown]
            await self.repair(found.values(), stale)
        return []  # unreachable: the last attempt returns

    async def find(self, query: Document, projection: Document | None = None,
                   order: list[tuple[str, int]] | None = None, limit: int = 0
                   ) -> list[Document]:
        """Unresolved entries matching ``query`` (which may narrow the status further)."""
        cursor = self.entries.find({"status": {"$ne": RESOLVED}, **query}, projection)
        if order:
            cursor = cursor.sort(order)
        return await cursor.limit(limit).to_list()

    async def counts(self, queues: list[str]) -> dict[str, Document]:
        """Per queue: open, unassigned, at-risk and breached entries (one pass)."""
        def when(condition: Document) -> Document:
            return {"$sum": {"$cond": [condition, 1, 0]}}

        rows = await (await self.entries.aggregate([
            {"$match": {"queue": {"$in": queues}, "status": {"$ne": RESOLVED}}},
            {"$group": {"_id": "$queue", "open": {"$sum": 1},
                        "unassigned": when({"$eq": [{"$ifNull": ["$assignee", None]}, None]}),
                        "at_risk": when({"$eq": ["$escalation", "at_risk"]}),
                        "breached": when({"$eq": ["$escalation", "breached"]})}},
        ])).to_list()
        return {row.pop("_id"): row for row in rows}

    # --- a store written before open_work -----------------------------------------------

    async def adopt(self, conversations: AsyncCollection, force: bool = False) -> int:
        """Builds the entries of every unresolved conversation, once per store (``force``:
        again, and drops entries whose conversation is resolved or gone). Returns how many
        entries were written."""
        if not force and await self.marks.find_one({"_id": ADOPTED}, {"_id": 1}):
            await self._adopt_pages()
            return 0
        written, batch = 0, []
        async for doc in conversations.find({"status": {"$ne": RESOLVED}},
                                            dict.fromkeys(FIELDS, 1), batch_size=ADOPT_BATCH):
            batch.append(entry_of(doc))
            if len(batch) == ADOPT_BATCH:
                written += await self._adopt_batch(batch)
                batch = []
        if batch:
            written += await self._adopt_batch(batch)
        if force:
            await self._drop_finished(conversations)
        await self.marks.update_one({"_id": ADOPTED}, {"$set": {"entries": written}},
                                    upsert=True)
        await self.marks.update_one({"_id": PAGES_ADOPTED}, {"$set": {"entries": written}},
                                    upsert=True)
        return written

    async def _adopt_batch(self, entries: list[Document]) -> int:
        # Buckets first, as every write does: a page never misses an entry's conversation.
        await self.buckets.place_all(entries)
        await self.entries.bulk_write([ReplaceOne({"_id": e["_id"]}, e, upsert=True)
                                       for e in entries], ordered=False)
        return len(entries)

    async def _adopt_pages(self) -> None:
        """A store whose open work predates the page buckets: enters every entry, once."""
        if await self.marks.find_one({"_id": PAGES_ADOPTED}, {"_id": 1}):
            return
        batch: list[Document] = []
        async for entry in self.entries.find({"status": {"$ne": RESOLVED}},
                                             batch_size=ADOPT_BATCH):
            batch.append(entry)
            if len(batch) == ADOPT_BATCH:
                await self.buckets.place_all(batch)
                batch = []
        await self.buckets.place_all(batch)
        await self.marks.update_one({"_id": PAGES_ADOPTED}, {"$set": {"done": True}},
                                    upsert=True)

    async def _drop_finished(self, conversations: AsyncCollection) -> None:
        ids = [e["_id"] async for e in self.entries.find({}, {"_id": 1})]
        for at in range(0, len(ids), ADOPT_BATCH):
            chunk = ids[at:at + ADOPT_BATCH]
            found = {d["_id"]: d async for d in conversations.find(
                {"_id": {"$in": chunk}}, {"status": 1})}
            gone = [i for i in chunk if i not in found or not is_open(found[i])]
            if gone:
                await self.entries.bulk_write([DeleteOne({"_id": i}) for i in gone],
                                              ordered=False)
