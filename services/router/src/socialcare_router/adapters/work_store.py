"""MongoDB queries over open work: notes, an agent's held work, queue counts.

Changes to a conversation go through the Conversation repository; this module only reads
lists of work (and stores notes, which are not part of the conversation document).
"""

import asyncio
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
NOT_RESOLVED = {"$ne": "resolved"}


class WorkStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.conversations = db.conversations
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
        cursor = self.conversations.find(
            {"assignee": agent_id, "status": NOT_RESOLVED, "state": "assigned"},
            {"_id": 1}).limit(limit)
        return [d["_id"] async for d in cursor]

    async def waiting_in_queue(self, queue: str, limit: int) -> list[Document]:
        """A queue's unassigned conversations waiting for a response, most urgent first."""
        cursor = self.conversations.find(
            {"queue": queue, "status": "open", "assignee": None,
             "state": {"$in": ["new", "reopened"]}},
            {"_id": 1, "language": 1, "intents": 1, "platform": 1}).sort(
            [("due_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        return await cursor.to_list()

    async def queue_depths(self, queues: Iterable[str], limit: int = 200) -> dict[str, int]:
        """Unresolved conversations in each of (at most ``limit``) known queues."""
        names = sorted(set(queues))[:limit]
        counts = await asyncio.gather(*(self.conversations.count_documents(
            {"queue": name, "status": NOT_RESOLVED}) for name in names))
        return dict(zip(names, counts, strict=True))

    async def queue_overview(self, queues: Iterable[str], limit: int = 200
                             ) -> list[Document]:
        """Per queue: unresolved, unassigned, at risk and breached counts (for supervisors)."""
        names = sorted(set(queues))[:limit]
        kinds = {"open": {}, "unassigned": {"assignee": None},
                 "at_risk": {"escalation": "at_risk"}, "breached": {"escalation": "breached"}}
        counts = await asyncio.gather(*(
            self.conversations.count_documents({"queue": name, "status": NOT_RESOLVED, **extra})
            for name in names for extra in kinds.values()))
        width = len(kinds)
        return [{"queue": name, **dict(zip(kinds, counts[i * width:(i + 1) * width],
                                           strict=True))}
                for i, name in enumerate(names)]
