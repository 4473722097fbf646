"""The shared send budget in MongoDB: one document per lane and window, counted atomically.

Collection ``send_budget``, ``_id`` = the lane's window id
(``x|acme|sends|900|2026-12-03T13:15:00``), ``used`` = sends counted in that window. A send
is counted by one conditional increment that matches only while ``used`` is below the
limit, so replicas racing for the last slot cannot overrun it: the server applies
single-document updates one at a time. Every access is by ``_id`` (a point lookup on
mongo-java-server too). ``expires_at`` lets a TTL index drop old windows on MongoDB; the
embedded server keeps them (a few a day per account). The same collection keeps the limits
in use per account (``socialcare_runtime.send_quota``), for the inbox's bulk-reply preview.
"""

from datetime import UTC, datetime, timedelta

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from socialcare_runtime.send_quota import COLLECTION, quota_id

KEEP_FOR = timedelta(days=1)


class BudgetStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self._windows = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        """The TTL index that drops windows a day after they closed (MongoDB only)."""
        await self._windows.create_index("expires_at", expireAfterSeconds=0)

    async def take(self, window_id: str, limit: int, window_end: float) -> int | None:
        """Counts one send unless the window already holds ``limit``: the new count, or None."""
        counted = {"$inc": {"used": 1}, "$set": {"limit": limit}}
        try:
            # Upsert opens the window; on a full window the filter misses and the insert of
            # an existing _id fails, which is the answer "full" (checked again below).
            doc = await self._windows.find_one_and_update(
                {"_id": window_id, "used": {"$lt": limit}},
                {**counted, "$setOnInsert": {"expires_at": _expiry(window_end)}},
                upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:
            # Full, or another replica opened the window between our filter and insert:
            # without upsert the same condition decides.
            doc = await self._windows.find_one_and_update(
                {"_id": window_id, "used": {"$lt": limit}}, counted,
                return_document=ReturnDocument.AFTER)
        return int(doc["used"]) if doc else None

    async def exhaust(self, window_id: str, limit: int, window_end: float) -> None:
        """Marks the window full for every replica (the platform said so with a 429)."""
        await self._windows.update_one(
            {"_id": window_id},
            {"$max": {"used": limit}, "$set": {"limit": limit},
             "$setOnInsert": {"expires_at": _expiry(window_end)}},
            upsert=True)

    async def record_quota(self, platform: str, account: str, kind: str, requests: int,
                           window_s: int, bulk_per_window: int) -> None:
        """Keeps the limits in use for ``account`` where the inbox can read them."""
        await self._windows.update_one(
            {"_id": quota_id(platform, account, kind)},
            {"$set": {"requests": requests, "window_s": window_s,
                      "bulk_per_window": bulk_per_window, "updated_at": datetime.now(UTC)}},
            upsert=True)

    async def used(self, window_id: str) -> int:
        doc = await self._windows.find_one({"_id": window_id})
        return int(doc["used"]) if doc else 0


def _expiry(window_end: float) -> datetime:
    return datetime.fromtimestamp(window_end, UTC) + KEEP_FOR
