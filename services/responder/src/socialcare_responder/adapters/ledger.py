"""The delivery ledger: what was posted for each reply part, so a redelivery never reposts.

Collection ``deliveries``, one document per part, ``_id`` = ``<reply id>:<part>``:
``attempting`` before the gateway is called, ``sent`` with the platform's result after.
All access is by ``_id`` (a point lookup on every MongoDB server) and single-document
atomic updates, so the ledger needs no index beyond ``_id``.
"""

from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

COLLECTION = "deliveries"


@dataclass(frozen=True)
class Delivered:
    platform_message_id: str
    permalink: str | None


class DeliveryLedger:
    def __init__(self, db: AsyncDatabase) -> None:
        self._deliveries = db[COLLECTION]

    async def sent(self, reply_id: str, part: int) -> Delivered | None:
        """The platform result of a part already posted, or None."""
        doc = await self._deliveries.find_one({"_id": f"{reply_id}:{part}", "state": "sent"})
        if doc is None:
            return None
        return Delivered(doc["platform_message_id"], doc.get("permalink"))

    async def attempting(self, reply_id: str, part: int, platform: str, at: datetime) -> None:
        """Notes an attempt before calling the gateway; never downgrades a sent part."""
        await self._deliveries.update_one(
            {"_id": f"{reply_id}:{part}"},
            {"$setOnInsert": {"reply_id": reply_id, "part": part, "platform": platform,
                              "state": "attempting", "first_attempt_at": at},
             "$set": {"last_attempt_at": at}, "$inc": {"attempts": 1}},
            upsert=True)

    async def mark_sent(self, reply_id: str, part: int, result: Delivered, at: datetime) -> None:
        await self._deliveries.update_one(
            {"_id": f"{reply_id}:{part}"},
            {"$set": {"state": "sent", "platform_message_id": result.platform_message_id,
                      "permalink": result.permalink, "sent_at": at}})
