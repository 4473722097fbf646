"""Due timers read through keyed buckets, so a timer tick costs the work due, not the store.

A range query on a deadline field (``escalate_at <= now``) needs a secondary index;
mongo-java-server, the embedded default, ignores those and scans every conversation under
the collection lock, so the timers' cost grew with everything ever stored. Instead, each
deadline a conversation sets is also written into the bucket of its minute, one document
per kind and minute whose ``_id`` is derived from both::

    {"_id": "escalate_at|2026-12-03T13:05", "due": {"c_1f…": <deadline>, …}}

A tick reads the buckets from where the last tick finished up to now by ``_id`` (point
lookups, which every MongoDB server answers from the primary index), and drops each entry
it acted on. Entries are hints, never the truth: the timer loads the conversation and acts
only if its stored deadline has come, so an entry left by a deadline that moved since is
harmless. The entry is written *before* the conversation, so no stored deadline ever
lacks one; a deadline already past when set goes into the current minute.

Where the sweep has reached is kept per kind (``timer_sweeps``). It only passes a minute
that ended more than ``GRACE`` ago and whose entries are all acted on, so an entry written
late by a slow writer (or a writer whose clock runs behind) is still found.
"""

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.adapters.coalescing import Coalescer
from socialcare_router.adapters.field_names import escape, unescape
from socialcare_router.adapters.minutes import aware, from_key, minute_key, minute_of
from socialcare_router.domain.conversation import TIMERS

Document = dict[str, Any]
WIDTH = timedelta(minutes=1)
GRACE = timedelta(minutes=2)
KEYS_PER_READ = 500
ADOPTED = "stored deadlines adopted"
ADOPT_CHUNK = 20_000
MAX_ADVANCE = 5_000  # minutes one tick may pass (after the timers were stopped for days)


class Due(NamedTuple):
    """A bucket entry whose deadline has come."""

    conversation_id: str
    at: datetime
    bucket: str


def bucket_id(kind: str, minute: datetime) -> str:
    return f"{kind}|{minute_key(minute)}"


def minutes_between(start: datetime, end: datetime) -> list[datetime]:
    """Every bucket minute from ``start``'s to ``end``'s, both included."""
    first, last = minute_of(start), minute_of(end)
    return [first + i * WIDTH for i in range(int((last - first) / WIDTH) + 1)]


def entry_field(conversation_id: str) -> str:
    return "due." + escape(conversation_id)


def _entry(kind: str, conversation_id: str, due: datetime, now: datetime
           ) -> tuple[str, str, datetime]:
    """(bucket, conversation, deadline): a deadline already past goes in the current minute."""
    return bucket_id(kind, minute_of(max(aware(due), aware(now)))), conversation_id, due


class TimerBuckets:
    def __init__(self, db: AsyncDatabase) -> None:
        self.buckets = db.timer_buckets
        self.sweeps = db.timer_sweeps
        # A batch's new conversations mostly share a minute: their entries go as one
        # update per bucket, not one request each.
        self._schedule = Coalescer(self._write_entries, lambda entry: entry[:2])

    async def schedule(self, conversation_id: str, timers: dict[str, datetime],
                       now: datetime) -> None:
        """Enters each (kind, deadline) in its minute's bucket; repeatable."""
        await asyncio.gather(*(self._schedule(_entry(kind, conversation_id, due, now))
                               for kind, due in timers.items()))

    async def _write_entries(self, entries: list[tuple[str, str, datetime]]
                             ) -> list[None | BaseException]:
        by_bucket: dict[str, Document] = defaultdict(dict)
        for bucket, conversation_id, due in entries:
            by_bucket[bucket][entry_field(conversation_id)] = due
        await self.buckets.bulk_write(
            [UpdateOne({"_id": bucket}, {"$set": fields}, upsert=True)
             for bucket, fields in by_bucket.items()], ordered=False)
        return [None] * len(entries)

    async def due(self, kind: str, now: datetime, limit: int) -> list[Due]:
        """Entries due by ``now`` from the unswept minutes, earliest first, at most ``limit``."""
        minutes = minutes_between(await self._swept_to(kind, now), now)
        found: list[Due] = []
        for offset in range(0, len(minutes), KEYS_PER_READ):
            keys = [bucket_id(kind, m) for m in minutes[offset:offset + KEYS_PER_READ]]
            async for bucket in self.buckets.find({"_id": {"$in": keys}}):
                found += [Due(unescape(name), aware(at), bucket["_id"])
                          for name, at in bucket.get("due", {}).items() if aware(at) <= now]
            if len(found) >= limit:
                break
        return sorted(found, key=lambda entry: entry.at)[:limit]

    async def done(self, entries: Iterable[Due]) -> None:
        """Drops entries acted on; one rewritten meanwhile (a new deadline) stays."""
        requests = []
        for entry in entries:
            field = entry_field(entry.conversation_id)
            requests.append(UpdateOne({"_id": entry.bucket, field: entry.at},
                                      {"$unset": {field: ""}}))
        if requests:
            await self.buckets.bulk_write(requests, ordered=False)

    async def advance(self, kind: str, now: datetime) -> None:
        """Moves the sweep past the minutes that are over and empty; deletes their buckets."""
        start = await self._swept_to(kind, now)
        settled = minutes_between(start, now - GRACE - WIDTH)[:MAX_ADVANCE]
        if not settled or settled[0] > now - GRACE - WIDTH:
            return
        keys = [bucket_id(kind, m) for m in settled]
        waiting = {b["_id"] async for b in self.buckets.find(
            {"_id": {"$in": keys}, "due": {"$ne": {}}}, {"_id": 1})}
        passed = list(itertools.takewhile(lambda key: key not in waiting, keys))
        if not passed:
            return
        await self.buckets.delete_many({"_id": {"$in": passed}, "due": {}})
        await self.sweeps.update_one({"_id": kind},
                                     {"$max": {"at": settled[len(passed) - 1] + WIDTH}},
                                     upsert=True)

    async def adopt_stored(self, conversations: AsyncCollection, now: datetime) -> None:
        """Enters the deadlines of open conversations stored without entries, once per store.

        A store written by a release before the buckets holds deadlines no bucket knows;
        the first timer to run scans the open conversations once (cheap on a new store),
        and marks the store so that no process scans again.
        """
        if await self.sweeps.find_one({"_id": ADOPTED}, {"_id": 1}):
            return
        entries: list[tuple[str, str, datetime]] = []
        async for doc in conversations.find({"status": {"$ne": "resolved"}},
                                            dict.fromkeys(TIMERS, 1)):
            entries += [_entry(name, doc["_id"], doc[name], now)
                        for name in TIMERS if doc.get(name) is not None]
            if len(entries) >= ADOPT_CHUNK:  # one update per bucket, not one per entry
                await self._write_entries(entries)
                entries = []
        if entries:
            await self._write_entries(entries)
        # The first sweep starts at the earliest entry already written (by routers that ran
        # before any timer did), or just before now.
        floor = minute_of(now) - GRACE
        earliest = dict.fromkeys(TIMERS, floor)
        async for bucket in self.buckets.find({}, {"_id": 1}):
            kind, _, minute = bucket["_id"].partition("|")
            at = from_key(minute)
            earliest[kind] = min(earliest.get(kind, floor), at)
        for kind, at in earliest.items():
            await self.sweeps.update_one({"_id": kind}, {"$min": {"at": at}}, upsert=True)
        await self.sweeps.update_one({"_id": ADOPTED}, {"$set": {"at": now}}, upsert=True)

    async def _swept_to(self, kind: str, now: datetime) -> datetime:
        state = await self.sweeps.find_one({"_id": kind})
        # No sweep yet: the first timer adopts the store before it reads (adopt_stored).
        return aware(state["at"]) if state else minute_of(now) - GRACE
