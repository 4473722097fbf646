"""Queue pages read through keyed buckets: a page costs its own entries, not the open work.

mongo-java-server, the embedded default, serves a query from an index only for ``_id`` (or
a unique key) equal to a value or ``$in`` a list; a range on ``_id`` and every secondary
index are scans. A queue page sorted by ``due_at`` from ``open_work`` therefore scanned and
sorted every open entry (20,000 of them: p99 102 ms). Instead each unresolved conversation
is also entered in the bucket of its queue, status and due minute, and each (queue, status)
has a directory of its minutes that hold entries::

    {"_id": "b|bulk|open|2026-12-03T13:05", "e": {"c_1f…": [<due_at>, <version>], …}}
    {"_id": "d|bulk|open", "m": {"2026-12-03T13:05": true, …}}

A page reads the directory, then the first buckets by ``$in`` (point lookups on every
server), then their conversations by ``_id``, and keeps only those whose stored queue,
status and due minute still name the bucket: an entry is a hint, like the open-work entry
(adapters/open_work). An entry goes in *before* its conversation is written (a page never
misses a stored conversation) and leaves after a write that moved it, only if its value
is still the version that write replaced (a later write moving it back keeps its own).
Hints left by a write that lost its race are dropped by the page that finds them,
conditionally on their value; one of a version the conversation has not reached (a write
under way, or a process that died before its write) is skipped, never dropped, or a page
read in the middle of a write would take out the entry that write is about to need. The
directory loses a minute whose bucket the page found empty (``_forget_empty``: safe with
writers).

The fast path covers the common view: one queue, due soonest first, optionally limited to
the caller's brands. Other filters, the priority order and an agent's own list read the
open-work entries as before (Store.queue_page).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.adapters.coalescing import Coalescer
from socialcare_router.adapters.field_names import escape, unescape
from socialcare_router.adapters.minutes import aware, minute_key

Document = dict[str, Any]
RESOLVED = "resolved"
NO_DUE = "0000"  # sorts before every minute key, as MongoDB sorts a missing due_at first
FIRST_READ = 4  # buckets read at once at first; doubled while the page is not full
MAX_CANDIDATES = 4_000  # entries read for one page before the scan is cheaper
PAGE_ATTEMPTS = 3
AGAIN = object()


class Placement(NamedTuple):
    """Where an entry is (bucket ``_id``, directory ``_id``, minute) and what it holds."""

    bucket: str
    directory: str
    minute: str
    conversation_id: str
    value: list[Any]


def _part(text: str) -> str:
    # A queue name with "|" must not run into the next part of the key.
    return text.replace("%", "%25").replace("|", "%7C")


def directory_id(queue: str, status: str) -> str:
    return f"d|{_part(queue)}|{_part(status)}"


def bucket_id(queue: str, status: str, minute: str) -> str:
    return f"b|{_part(queue)}|{_part(status)}|{minute}"


def due_minute(due: datetime | None) -> str:
    return NO_DUE if due is None else minute_key(due)


def placement_of(doc: Document) -> Placement | None:
    """The bucket entry of an open-work entry or a conversation; None when resolved."""
    if doc.get("status") == RESOLVED or doc.get("queue") is None:
        return None
    queue, status, minute = doc["queue"], doc.get("status", "open"), due_minute(doc.get("due_at"))
    return Placement(bucket_id(queue, status, minute), directory_id(queue, status), minute,
                     doc["_id"], [doc.get("due_at"), doc.get("version")])


def page_order(doc: Document) -> tuple[bool, datetime | None, str]:
    """MongoDB's ascending (due_at, _id): a missing due_at first."""
    due = doc.get("due_at")
    return (due is not None, aware(due) if due is not None else None, doc["_id"])


def after_cursor(doc: Document, after: tuple[datetime, str, int | None] | None) -> bool:
    if after is None:
        return True
    due = doc.get("due_at")
    if due is None:  # ``$gt`` on a date never matches a missing one
        return False
    due, cursor_due = aware(due), aware(after[0])
    return due > cursor_due or due == cursor_due and doc["_id"] > after[1]


def _as_doc(entry: Placement) -> Document:
    """The entry as the fields its value holds, to order and filter it before loading."""
    return {"_id": entry.conversation_id, "due_at": entry.value[0]}


def _in_flight(entry: Placement, doc: Document) -> bool:
    """Whether the entry is of a version the conversation has not reached (yet)."""
    return (entry.value[1] or 0) > (doc.get("version") or 0)


def _entry_field(conversation_id: str) -> str:
    return "e." + escape(conversation_id)


def placing(placements: Iterable[Placement]) -> list[UpdateOne]:
    """Upserts of the entries, one per bucket, then of their directories' minutes: a
    bucket is written before its directory names it (see ``_forget_empty``)."""
    buckets: dict[str, Document] = defaultdict(dict)
    minutes: dict[str, Document] = defaultdict(dict)
    for p in placements:
        buckets[p.bucket][_entry_field(p.conversation_id)] = p.value
        minutes[p.directory]["m." + p.minute] = True
    return [*(UpdateOne({"_id": b}, {"$set": fields}, upsert=True)
              for b, fields in buckets.items()),
            *(UpdateOne({"_id": d}, {"$set": fields}, upsert=True)
              for d, fields in minutes.items())]


class PageBuckets:
    def __init__(self, db: AsyncDatabase) -> None:
        self.pages: AsyncCollection = db.open_work_pages
        # A batch's conversations are written together: their entries travel as one
        # ordered bulk (buckets, then directories).
        self._place = Coalescer(self._write, lambda p: p.conversation_id)

    async def place(self, placement: Placement) -> None:
        """Enters a conversation in its bucket (before the conversation is written)."""
        await self._place(placement)

    async def _write(self, placements: list[Placement]) -> list[None]:
        await self.pages.bulk_write(placing(placements), ordered=True)
        return [None] * len(placements)

    async def remove(self, placements: Iterable[Placement]) -> None:
        """Drops entries that still hold the value they were written with."""
        requests = [UpdateOne({"_id": p.bucket, _entry_field(p.conversation_id): p.value},
                              {"$unset": {_entry_field(p.conversation_id): ""}})
                    for p in placements]
        if requests:
            await self.pages.bulk_write(requests, ordered=False)

    async def place_all(self, docs: Iterable[Document]) -> None:
        """Enters many at once (adopting a store): one update per bucket."""
        placements = [p for p in map(placement_of, docs) if p is not None]
        if placements:
            await self.pages.bulk_write(placing(placements), ordered=True)

    # --- the page ---------------------------------------------------------------------

    async def page(self, queue: str, status: str, limit: int,
                   after: tuple[datetime, str, int | None] | None,
                   brands: list[str] | None, conversations: AsyncCollection,
                   projection: Document) -> list[Document] | None:
        """The first ``limit`` conversations of the queue by (due_at, _id) after the
        cursor, of ``brands`` if given; None when the caller should scan instead (so many
        entries read without filling the page, or entries that kept changing)."""
        for _ in range(PAGE_ATTEMPTS):
            found = await self._page(queue, status, limit, after, brands, conversations,
                                     projection)
            if found is not AGAIN:
                return found
        return None

    async def _page(self, queue: str, status: str, limit: int,
                    after: tuple[datetime, str, int | None] | None,
                    brands: list[str] | None, conversations: AsyncCollection,
                    projection: Document) -> Any:
        directory = await self.pages.find_one({"_id": directory_id(queue, status)})
        start = NO_DUE if after is None else due_minute(after[0])
        minutes = sorted(m for m in (directory or {}).get("m", {}) if m >= start)
        if after is not None and minutes[:1] == [NO_DUE]:
            minutes = minutes[1:]
        found: list[Document] = []
        read: list[Placement] = []
        pending: list[Placement] = []  # entries read, by their values' order, not loaded
        stale: list[Placement] = []
        moved: list[Placement] = []  # right bucket, but its value is not the conversation's
        empty: list[str] = []
        at, step = 0, FIRST_READ
        while len(found) < limit:
            if not pending:
                if at >= len(minutes) or len(read) > MAX_CANDIDATES:
                    break
                # Buckets go in minute order, so the next one's entries all sort after
                # every entry before it: read them only when the page needs more.
                chunk = [bucket_id(queue, status, m) for m in minutes[at:at + step]]
                at, step = at + step, step * 2
                entries = await self._entries(chunk, empty)
                read += entries
                pending = sorted((e for e in entries if after_cursor(_as_doc(e), after)),
                                 key=lambda e: page_order(_as_doc(e)))
                continue
            wanted, pending = pending[:limit - len(found)], pending[limit - len(found):]
            docs = {d["_id"]: d async for d in conversations.find(
                {"_id": {"$in": [e.conversation_id for e in wanted]}}, projection)}
            for entry in wanted:
                doc = docs.get(entry.conversation_id)
                if doc is None:
                    continue  # its insert may be under way: left alone
                now = placement_of(doc)
                # Written before its conversation: that write may be under way, so an entry
                # of a version not reached yet is never changed (a dead writer's stays,
                # skipped, until the conversation is written again).
                flight = _in_flight(entry, doc)
                if now is None or now.bucket != entry.bucket:
                    if not flight:
                        stale.append(entry)
                elif now.value[0] != entry.value[0] and not flight:
                    moved.append(now)
                elif brands is None or doc.get("brand_account") in brands:
                    found.append(doc)
        await self._tidy(read, stale, moved, empty, directory_id(queue, status))
        if moved:
            return AGAIN  # its order in the page came from a due time that is not its own
        if len(found) < limit and len(read) > MAX_CANDIDATES and at < len(minutes):
            return None
        return sorted(found, key=page_order)[:limit]

    async def _tidy(self, read: list[Placement], stale: list[Placement],
                    moved: list[Placement], empty: list[str], directory: str) -> None:
        if not (stale or moved or empty):
            return
        # A bucket that held only hints is empty once they are dropped.
        dropped = {(e.bucket, e.conversation_id) for e in stale}
        held = {e.bucket for e in read if (e.bucket, e.conversation_id) not in dropped}
        empty += [b for b in {e.bucket for e in stale} if b not in held]
        await self.remove(stale)
        if moved:
            await self.pages.bulk_write(placing(moved), ordered=True)
        await self._forget_empty(empty, directory)

    async def _entries(self, bucket_ids: list[str], empty: list[str]) -> list[Placement]:
        """The entries of these buckets; adds to ``empty`` those that hold none."""
        entries: list[Placement] = []
        held: set[str] = set()
        async for bucket in self.pages.find({"_id": {"$in": bucket_ids}}):
            _, _, _, minute = bucket["_id"].split("|")
            for name, value in bucket.get("e", {}).items():
                entries.append(Placement(bucket["_id"], "", minute, unescape(name), value))
            if bucket.get("e"):
                held.add(bucket["_id"])
        empty += [b for b in bucket_ids if b not in held]
        return entries

    async def _forget_empty(self, bucket_ids: list[str], directory: str) -> None:
        """Deletes empty buckets and their minutes from the directory.

        A writer upserts the bucket, then names its minute in the directory. Here: delete
        the bucket if empty, unset the minute, read the bucket again and name the minute
        again if it exists. A writer's upsert before that read is seen and named here; one
        after it names the minute itself, after the unset. No entry is left unnamed.
        """
        if not bucket_ids:
            return
        await self.pages.delete_many({"_id": {"$in": bucket_ids}, "e": {}})
        minutes = {b: b.rsplit("|", 1)[1] for b in bucket_ids}
        await self.pages.update_one({"_id": directory},
                                    {"$unset": {"m." + m: "" for m in minutes.values()}})
        back = [b["_id"] async for b in self.pages.find({"_id": {"$in": bucket_ids}},
                                                          {"_id": 1})]
        if back:
            await self.pages.update_one({"_id": directory},
                                        {"$set": {"m." + minutes[b]: True for b in back}})
