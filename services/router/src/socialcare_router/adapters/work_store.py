"""MongoDB repository for agents' work on conversations: claim, move, tag, note, close.

Each action is one ``find_one_and_update`` whose filter states what must still be true
(e.g. nobody has claimed it), so concurrent agents never both win; None means the
precondition failed and the caller answers 404 or 409.
"""

import asyncio
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
NOT_RESOLVED = {"$ne": "resolved"}


HISTORY_KEPT = 100


def _history(entry: Document) -> Document:
    """A ``$push`` that records who had the conversation, keeping the latest entries only."""
    return {"history": {"$each": [entry], "$slice": -HISTORY_KEPT}}


class WorkStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.conversations = db.conversations
        self.notes = db.notes

    async def _update(self, query: Document, update: Document) -> Document | None:
        return await self.conversations.find_one_and_update(
            query, update, return_document=ReturnDocument.AFTER)

    async def claim(self, conversation_id: str, agent_id: str, now: datetime) -> Document | None:
        """Assigns an unassigned, unresolved conversation; None when someone else has it."""
        return await self._update(
            {"_id": conversation_id, "assignee": None, "status": NOT_RESOLVED},
            {"$set": {"assignee": agent_id, "assigned_at": now, "updated_at": now},
             "$push": _history({"action": "claimed", "agent_id": agent_id, "at": now})})

    async def release(self, conversation_id: str, assignee: str, now: datetime
                      ) -> Document | None:
        """Puts a conversation back in its queue; only while ``assignee`` still holds it."""
        return await self._update(
            {"_id": conversation_id, "assignee": assignee},
            {"$set": {"assignee": None, "updated_at": now},
             "$push": _history({"action": "released", "agent_id": assignee, "at": now})})

    async def transfer(self, conversation_id: str, assignee: str | None, queue: str | None,
                       to_agent: str | None, now: datetime) -> Document | None:
        """Moves to another queue and/or agent, if the holder is still ``assignee``."""
        fields: Document = {"assignee": to_agent, "updated_at": now}
        if queue is not None:
            fields["queue"] = queue
        if to_agent is not None:
            fields["assigned_at"] = now
        return await self._update(
            {"_id": conversation_id, "assignee": assignee, "status": NOT_RESOLVED},
            {"$set": fields, "$push": _history({"action": "transferred", "agent_id": to_agent,
                                                "from_agent": assignee, "queue": queue,
                                                "at": now})})

    async def tag(self, conversation_id: str, add: list[str], remove: list[str],
                  now: datetime) -> Document | None:
        if add:
            await self._update({"_id": conversation_id},
                               {"$addToSet": {"tags": {"$each": add}}})
        return await self._update({"_id": conversation_id},
                                  {"$pull": {"tags": {"$in": remove}},
                                   "$set": {"updated_at": now}})

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

    async def snooze(self, conversation_id: str, until: datetime, now: datetime,
                     pause_clock: bool) -> Document | None:
        """Waits on the customer until ``until``; the SLA clock stops if the policy says so."""
        fields: Document = {"status": "waiting_on_customer", "snoozed_until": until,
                            "updated_at": now}
        if pause_clock:
            fields["paused_at"] = now
        return await self._update({"_id": conversation_id, "status": "open"}, {"$set": fields})

    async def resume(self, conversation_id: str, paused_at: datetime, new_due: datetime,
                     new_escalate_at: datetime | None, now: datetime) -> Document | None:
        """Restarts a paused clock once: the filter on ``paused_at`` makes a repeat a no-op."""
        return await self._update(
            {"_id": conversation_id, "paused_at": paused_at},
            {"$set": {"status": "open", "paused_at": None, "snoozed_until": None,
                      "first_response_due_at": new_due, "escalate_at": new_escalate_at,
                      "updated_at": now}})

    async def resolve(self, conversation_id: str, now: datetime) -> Document | None:
        return await self._update(
            {"_id": conversation_id, "status": NOT_RESOLVED},
            {"$set": {"status": "resolved", "resolved_at": now, "escalate_at": None,
                      "resolution_escalate_at": None,
                      "snoozed_until": None, "paused_at": None, "updated_at": now}})

    async def reopen(self, conversation_id: str, now: datetime) -> Document | None:
        return await self._update(
            {"_id": conversation_id, "status": "resolved"},
            {"$set": {"status": "open", "resolved_at": None, "updated_at": now}})

    async def return_unanswered(self, agent_id: str, now: datetime) -> int:
        """Gives an agent's unanswered conversations back to their queues (agent offline)."""
        result = await self.conversations.update_many(
            {"assignee": agent_id, "status": NOT_RESOLVED, "first_response_at": None},
            {"$set": {"assignee": None, "updated_at": now}})
        return result.modified_count

    async def open_load(self, agent_id: str) -> int:
        """How many unresolved conversations an agent holds (recounted, not incremented)."""
        return await self.conversations.count_documents(
            {"assignee": agent_id, "status": NOT_RESOLVED})

    async def due_for_escalation(self, now: datetime, limit: int, timer: str = "escalate_at"
                                 ) -> list[Document]:
        """Conversations whose next escalation point on ``timer`` has passed, oldest first."""
        # A paused clock (waiting on the customer) does not escalate; resolved work never does.
        cursor = self.conversations.find(
            {timer: {"$lte": now}, "paused_at": None, "status": NOT_RESOLVED}).sort(
            timer, ASCENDING).limit(limit)
        return await cursor.to_list()

    async def escalate(self, conversation_id: str, seen_escalate_at: datetime,
                       fields: Document, timer: str = "escalate_at") -> Document | None:
        """Applies one escalation step once, even with several processes checking."""
        return await self._update(
            {"_id": conversation_id, timer: seen_escalate_at, "status": NOT_RESOLVED},
            {"$set": fields})

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

    async def wake_snoozed(self, now: datetime, limit: int) -> list[Document]:
        cursor = self.conversations.find(
            {"status": "waiting_on_customer", "snoozed_until": {"$lte": now}}).sort(
            "snoozed_until", ASCENDING).limit(limit)
        return await cursor.to_list()
