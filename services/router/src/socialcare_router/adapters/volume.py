"""Messages per brand, intent and minute: what surge detection measures.

One document per minute (``_id: "2026-12-03T13:05"``) holds every brand's counts, so the
detector reads a window by ``_id``. Workers count in memory and add their counts with one
``$inc`` per minute document and flush: counting costs the route path nothing, and the
figures are as exact as at-least-once delivery allows (a redelivered batch counts twice,
which a rate measured against a threefold margin does not notice).
"""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.adapters.field_names import escape, unescape
from socialcare_router.adapters.minutes import minute_key
from socialcare_router.domain.surge import ALL_INTENTS


def minutes_ending(now: datetime, count: int) -> list[str]:
    """The ids of the ``count`` minutes up to and including ``now``'s."""
    return [minute_key(now - timedelta(minutes=i)) for i in range(count)]


class VolumeCounter:
    def __init__(self, db: AsyncDatabase) -> None:
        self.minutes = db.volume_minutes
        self._pending: Counter[tuple[str, str]] = Counter()

    def count(self, brand_account: str, intents: tuple[str, ...], negative: bool,
              at: datetime, now: datetime) -> None:
        """One customer message; a timestamp from the future counts now."""
        minute = minute_key(min(at, now))
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
        if not pending:
            return
        by_minute: dict[str, dict[str, int]] = defaultdict(dict)
        for (minute, field), n in pending.items():
            by_minute[minute][field] = n
        try:
            await self.minutes.bulk_write(
                [UpdateOne({"_id": minute}, {"$inc": fields}, upsert=True)
                 for minute, fields in by_minute.items()], ordered=False)
        except Exception:
            self._pending.update(pending)
            raise

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
