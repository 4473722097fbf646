"""MongoDB repository for what supervisors manage: rules, queues, agents, SLAs, saved replies.

The routing rule set lives in one ``settings`` document with a version number; any change
to rules, queues or SLA policies bumps it, so workers reload when it moves.
"""

from datetime import datetime, timedelta
from typing import Any

from cachetools import LRUCache
from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from socialcare_router.adapters.incidents import IncidentStore

Document = dict[str, Any]
ROUTING_ID = "routing"
SEEN_EVERY = timedelta(minutes=1)  # activity is kept to the minute: idle limits are longer


class ConfigStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.settings = db.settings
        self.queues = db.queues
        self.agents = db.agents
        self.sla_policies = db.sla_policies
        self.saved_replies = db.saved_replies
        self._seen: LRUCache[str, datetime] = LRUCache(maxsize=10_000)
        # Incidents' routing is part of the routing configuration in force.
        self.incidents = IncidentStore(db)

    # --- versioned routing configuration --------------------------------------------

    async def routing_version(self) -> int:
        found = await self.settings.find_one({"_id": ROUTING_ID}, {"version": 1})
        return found["version"] if found else 0

    async def routing(self) -> Document:
        return await self.settings.find_one({"_id": ROUTING_ID}) or {"version": 0, "rules": []}

    async def replace_rules(self, rules: list[Document], expected_version: int | None,
                            now: datetime) -> Document | None:
        """Replaces the rule list; None when ``expected_version`` is stale (lost update)."""
        query: Document = {"_id": ROUTING_ID}
        if expected_version is not None:
            query["version"] = expected_version
        try:
            return await self.settings.find_one_and_update(
                query, {"$set": {"rules": rules, "updated_at": now}, "$inc": {"version": 1}},
                upsert=expected_version in (None, 0), return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # the upsert lost against an existing, newer document
            return None

    async def bump_version(self, now: datetime) -> None:
        """Tells workers that queues or SLA policies changed."""
        await self.settings.update_one(
            {"_id": ROUTING_ID},
            {"$inc": {"version": 1}, "$set": {"updated_at": now},
             "$setOnInsert": {"rules": []}}, upsert=True)

    # --- queues, SLA policies, saved replies: documents keyed by name ---------------

    async def put(self, collection: str, key: str, fields: Document) -> Document:
        """Creates or replaces the named document."""
        return await getattr(self, collection).find_one_and_replace(
            {"_id": key}, {"_id": key, **fields}, upsert=True,
            return_document=ReturnDocument.AFTER)

    async def get(self, collection: str, key: str) -> Document | None:
        return await getattr(self, collection).find_one({"_id": key})

    async def delete(self, collection: str, key: str) -> bool:
        return (await getattr(self, collection).delete_one({"_id": key})).deleted_count == 1

    async def list_all(self, collection: str, limit: int = 500) -> list[Document]:
        cursor = getattr(self, collection).find({}).sort("_id", ASCENDING).limit(limit)
        return await cursor.to_list()

    # --- agents -------------------------------------------------------------------------

    async def bootstrap_agent(self, agent_id: str, fields: Document) -> None:
        """Creates an agent from settings once; what supervisors changed since is kept."""
        await self.agents.update_one({"_id": agent_id}, {"$setOnInsert": fields}, upsert=True)

    async def update_agent(self, agent_id: str, fields: Document) -> Document | None:
        return await self.agents.find_one_and_update(
            {"_id": agent_id}, {"$set": fields}, return_document=ReturnDocument.AFTER)

    async def agent_seen(self, agent_id: str, now: datetime) -> None:
        """Records that the agent did something; written at most once a minute per agent."""
        last = self._seen.get(agent_id)
        if last is not None and now - last < SEEN_EVERY:
            return
        self._seen[agent_id] = now
        await self.agents.update_one({"_id": agent_id}, {"$max": {"last_active_at": now}})

    async def agents_by_ids(self, ids: list[str]) -> list[Document]:
        # One _id query for all of them (an _id $in is served by the primary index on every
        # server), in the order asked.
        if not ids:
            return []
        found = {d["_id"]: d async for d in self.agents.find({"_id": {"$in": list(ids)}})}
        return [found[i] for i in ids if i in found]

    async def change_load(self, agent_id: str, delta: int) -> None:
        await self.agents.update_one({"_id": agent_id}, {"$inc": {"load": delta}})

    async def reserve_capacity(self, agent_id: str, capacity: int) -> bool:
        """Takes one unit of the agent's capacity if one is free, in one conditional update.

        Choosing reads loads that concurrent assignments (keys of a batch, other workers)
        may have changed since; the condition keeps the agent within capacity regardless.
        """
        result = await self.agents.update_one(
            {"_id": agent_id, "load": {"$lt": capacity}}, {"$inc": {"load": 1}})
        return result.modified_count == 1

    # --- round-robin position, one small document per queue -------------------------

    async def last_assigned(self, queue: str) -> str | None:
        found = await self.settings.find_one({"_id": f"round_robin:{queue}"})
        return found["agent_id"] if found else None

    async def remember_assignment(self, queue: str, agent_id: str) -> None:
        await self.settings.update_one({"_id": f"round_robin:{queue}"},
                                       {"$set": {"agent_id": agent_id}}, upsert=True)
