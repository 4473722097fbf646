"""Messages per brand, intent and minute: what surge detection measures.

One document per minute (``_id: "2026-12-03T13:05"``) holds every brand's counts, so the
detector reads a window by ``_id``. Workers count in memory and add their counts with one
``$inc`` per minute document and flush: counting costs the route path nothing, and the
figures are as exact as at-least-once delivery allows (a redelivered batch counts twice,
which a rate measured against a threefold margin does not notice).

A message counts in the minute of its event time, not of its routing (domain/surge_time
decides which). With the counts each flush raises the routing frontier, one more document
by ``_id`` (``routed``): the newest event time counted and when it was counted, so the
detector judges the minutes the router has passed, however far behind it is.
"""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.adapters.field_names import escape, unescape
from socialcare_router.adapters.minutes import aware, minute_key
from socialcare_router.domain.surge import ALL_INTENTS


def minutes_ending(now: datetime, count: int) -> list[str]:
    """The ids of the ``count`` minutes up to and including ``now``'s."""
    return [minute_key(now - timedelta(minutes=i)) for i in range(count)]


PROGRESS = "routed"  # not a minute's id: the frontier's document beside the minutes


class VolumeCounter:
    def __init__(self, db: AsyncDatabase) -> None:
        self.minutes = db.volume_minutes
        self._pending: Counter[tuple[str, str]] = Counter()
        # The newest event time counted since the last flush, and when it was counted.
        self._frontier: tuple[datetime, datetime] | None = None

    def count(self, brand_account: str, intents: tuple[str, ...], negative: bool,
              at: datetime, now: datetime) -> None:
        """One customer message at event time ``at``; a time from the future counts now."""
        at = min(at, now)
        self._frontier = (max(at, self._frontier[0]), now) if self._frontier else (at, now)
        minute = minute_key(at)
        brand = f"b.{escape(brand_account)}"
        self._pending[(minute, f"{brand}.n")] += 1
        if negative:
            self._pending[(minute, f"{brand}.neg")] += 1
        for intent in set(intents):
            self._pending[(minute, f"{brand}.i.{escape(intent)}")] += 1
            if negative:
                self._pending[(minute, f"{brand}.x.{escape(intent)}")] += 1

    async def flush(self) -> None:
        """Adds what was counted since the last flush; kept for the next one if it fails."""
        pending, self._pending = self._pending, Counter()
        frontier, self._frontier = self._frontier, None
        if frontier is None:
            return
        by_minute: dict[str, dict[str, int]] = defaultdict(dict)
        for (minute, field), n in pending.items():
            by_minute[minute][field] = n
        writes = [UpdateOne({"_id": minute}, {"$inc": fields}, upsert=True)
                  for minute, fields in by_minute.items()]
        # $max: workers flush in any order, and a redelivery never moves the frontier back.
        writes.append(UpdateOne({"_id": PROGRESS}, {"$max": {
            "at": frontier[0], "routed_at": frontier[1]}}, upsert=True))
        try:
            await self.minutes.bulk_write(writes, ordered=False)
        except Exception:
            self._pending.update(pending)
            if self._frontier is not None:
                frontier = (max(frontier[0], self._frontier[0]),
                            max(frontier[1], self._frontier[1]))
            self._frontier = frontier
            raise

    async def progress(self) -> tuple[datetime | None, datetime | None]:
        """(the newest event time counted, when it was counted) over all workers."""
        doc = await self.minutes.find_one({"_id": PROGRESS}) or {}
        at, routed_at = doc.get("at"), doc.get("routed_at")
        return (aware(at) if at else None, aware(routed_at) if routed_at else None)

    async def read(self, minute_ids: list[str]) -> dict[str, dict[str, tuple[int, int]]]:
        """brand -> intent ('*' for all) -> (messages, negative ones), over the minutes."""
        totals: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        async for doc in self.minutes.find({"_id": {"$in": minute_ids}}):
            for brand, counts in doc.get("b", {}).items():
                total = totals[unescape(brand)]
                total[(ALL_INTENTS, "n")] += counts.get("n", 0)
                total[(ALL_INTENTS, "neg")] += counts.get("neg", 0)
                for kind, field in (("n", "i"), ("neg", "x")):
                    for intent, n in counts.get(field, {}).items():
                        total[(unescape(intent), kind)] += n
        return {brand: {intent: (counts[(intent, "n")], counts[(intent, "neg")])
                        for intent, kind in counts if kind == "n"}
                for brand, counts in totals.items()}

    async def curve(self, brand_account: str, start: datetime, end: datetime
                    ) -> list[dict[str, Any]]:
        """The brand's messages per minute from ``start`` to ``end`` (at most a day)."""
        end = min(end, start + timedelta(days=1))
        count = int((end - start).total_seconds() // 60) + 1
        ids = [minute_key(start + timedelta(minutes=i)) for i in range(count)]
        brand = escape(brand_account)
        found = {d["_id"]: d.get("b", {}).get(brand, {})
                 async for d in self.minutes.find({"_id": {"$in": ids}},
                                                  {f"b.{brand}": 1})}
        return [{"minute": i, "messages": found.get(i, {}).get("n", 0),
                 "negative": found.get(i, {}).get("neg", 0)} for i in ids]
