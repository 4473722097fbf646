"""MongoDB queries over open work: notes, an agent's held work, queue counts.

Changes to a conversation go through the Conversation repository; this module only reads
lists of work from the open-work entries (adapters/open_work), never the conversations,
and stores notes, which are not part of the conversation document.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.adapters.open_work import OpenWork

Document = dict[str, Any]
KINDS = ("open", "unassigned", "at_risk", "breached")


class WorkStore:
    def __init__(self, db: AsyncDatabase, open_work: OpenWork) -> None:
        self.open_work = open_work
        self.notes = db.notes

    async def add_note(self, conversation_id: str, author_id: str, text: str,
                       now: datetime) -> Document:
        """Stores an internal note, never sent to the customer."""
        doc = {"_id": uuid.uuid4().hex, "conversation_id": conversation_id,
               "author_id": author_id, "text": text, "created_at": now}
        await self.notes.insert_one(doc)
        return doc

    async def notes_of(self, conversation_id: str, limit: int = 500) -> list[Document]:
        cursor = self.notes.find({"conversation_id": conversation_id}).sort(
            "created_at", ASCENDING).limit(limit)
        return await cursor.to_list()

    async def held_unanswered(self, agent_id: str, limit: int = 1_000) -> list[str]:
        """Ids of an agent's open conversations still waiting for a response."""
        found = await self.open_work.find({"assignee": agent_id, "state": "assigned"},
                                          {"_id": 1}, limit=limit)
        return [d["_id"] for d in found]

    async def waiting_in_queue(self, queue: str, limit: int) -> list[Document]:
        """A queue's unassigned conversations waiting for a response, most urgent first."""
        return await self.open_work.find(
            {"queue": queue, "status": "open", "assignee": None,
             "state": {"$in": ["new", "reopened"]}},
            {"_id": 1, "language": 1, "intents": 1, "platform": 1},
            [("due_at", ASCENDING), ("_id", ASCENDING)], limit)

    async def queue_depths(self, queues: Iterable[str], limit: int = 200) -> dict[str, int]:
        """Unresolved conversations in each of (at most ``limit``) known queues."""
        names = sorted(set(queues))[:limit]
        counts = await self.open_work.counts(names)
        return {name: counts.get(name, {}).get("open", 0) for name in names}

    async def queue_overview(self, queues: Iterable[str], limit: int = 200
                             ) -> list[Document]:
        """Per queue: unresolved, unassigned, at risk and breached counts (for supervisors)."""
        names = sorted(set(queues))[:limit]
        counts = await self.open_work.counts(names)
        return [{"queue": name, **{kind: counts.get(name, {}).get(kind, 0) for kind in KINDS}}
                for name in names]
