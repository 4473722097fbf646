"""MongoDB repository for incidents and the baselines surges are measured against.

Every read and write is by ``_id``: an incident by its id; the open one of a brand and
intent through ``open_incidents`` keyed ``brand|intent`` (its insert is what makes opening
happen once, whichever process gets there first); a baseline by ``brand|intent``.
"""

import uuid
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from socialcare_router.domain.surge import IncidentRoute, Reading

Document = dict[str, Any]


def key_of(brand_account: str, intent: str) -> str:
    return f"{brand_account}|{intent}"


class IncidentStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.incidents = db.incidents
        self.open_keys = db.open_incidents
        self.baselines = db.surge_baselines
        self.state = db.surge_state

    async def open_ones(self) -> list[Document]:
        # open_incidents holds one small document per incident running now.
        ids = [d["incident_id"] async for d in self.open_keys.find({})]
        return [d async for d in self.incidents.find({"_id": {"$in": ids}})] if ids else []

    async def open(self, reading: Reading, at: datetime, now: datetime) -> Document | None:
        """Opens an incident for the reading of event time ``at`` (a router that lags
        sees it late: ``detected_at``); None when another process just did."""
        incident_id = uuid.uuid4().hex
        try:
            await self.open_keys.insert_one({
                "_id": key_of(reading.brand_account, reading.intent),
                "incident_id": incident_id})
        except DuplicateKeyError:
            return None
        doc = {"_id": incident_id, "status": "open", "brand_account": reading.brand_account,
               "intent": reading.intent, "opened_at": at, "detected_at": now,
               "closed_at": None,
               "peak_per_minute": reading.per_minute, "quiet_since": None,
               **_measured(reading, now)}
        await self.incidents.insert_one(doc)
        return doc

    async def measured(self, incident: Document, reading: Reading, now: datetime,
                       quiet_since: datetime | None) -> Document:
        fields = {**_measured(reading, now), "quiet_since": quiet_since,
                  "peak_per_minute": max(incident["peak_per_minute"], reading.per_minute)}
        await self.incidents.update_one({"_id": incident["_id"]}, {"$set": fields})
        return {**incident, **fields}

    async def close(self, incident: Document, reading: Reading, at: datetime, now: datetime
                    ) -> Document:
        """Closes it as of event time ``at``, when its calm was complete."""
        fields = {**_measured(reading, now), "status": "closed", "closed_at": at}
        await self.incidents.update_one({"_id": incident["_id"], "status": "open"},
                                        {"$set": fields})
        await self.open_keys.delete_one({"_id": key_of(incident["brand_account"],
                                                       incident["intent"]),
                                         "incident_id": incident["_id"]})
        return {**incident, **fields}

    async def routes_in_force(self) -> tuple[IncidentRoute, ...]:
        """The routing attached to open incidents, oldest incident first."""
        running = sorted((i for i in await self.open_ones() if i.get("routing")),
                         key=lambda i: i["opened_at"])
        return tuple(IncidentRoute(i["brand_account"], i["intent"], i["routing"].get("queue"),
                                   i["routing"].get("priority_boost", 0), i["_id"],
                                   i["routing"].get("holding_reply")) for i in running)

    async def set_routing(self, incident_id: str, routing: Document | None, now: datetime
                          ) -> Document | None:
        """Attaches (or with None removes) routing on an open incident; None if not open."""
        return await self.incidents.find_one_and_update(
            {"_id": incident_id, "status": "open"},
            {"$set": {"routing": routing, "updated_at": now}}, return_document=True)

    async def get(self, incident_id: str) -> Document | None:
        return await self.incidents.find_one({"_id": incident_id})

    async def recent(self, brands: list[str] | None, limit: int) -> list[Document]:
        """The latest incidents, open first; the collection holds one per surge, so it is
        small next to conversations."""
        query: Document = {} if brands is None else {"brand_account": {"$in": brands}}
        cursor = self.incidents.find(query).sort([("status", DESCENDING),
                                                  ("opened_at", DESCENDING)]).limit(limit)
        return await cursor.to_list()

    # --- baselines -----------------------------------------------------------------------

    async def slots(self, keys: list[str]) -> dict[str, dict[str, float]]:
        if not keys:
            return {}
        return {d["_id"]: d.get("slots", {})
                async for d in self.baselines.find({"_id": {"$in": keys}})}

    async def set_slots(self, key: str, slots: dict[str, float], now: datetime) -> None:
        await self.baselines.update_one({"_id": key},
                                        {"$set": {"slots": slots, "updated_at": now}},
                                        upsert=True)

    async def learned_through(self) -> datetime | None:
        found = await self.state.find_one({"_id": "learned"})
        return found["hour"] if found else None

    async def claim_hour(self, hour: datetime, previous: datetime | None) -> bool:
        """Whether this process learns ``hour`` (one process does, whoever moves first)."""
        if previous is None:
            try:
                await self.state.insert_one({"_id": "learned", "hour": hour})
                return True
            except DuplicateKeyError:
                return False
        result = await self.state.update_one({"_id": "learned", "hour": previous},
                                             {"$set": {"hour": hour}})
        return result.modified_count == 1


def _measured(reading: Reading, now: datetime) -> Document:
    return {"messages": reading.messages, "per_minute": reading.per_minute,
            "baseline_per_minute": reading.baseline,
            "negative_share": round(reading.negative_share, 4), "updated_at": now}
