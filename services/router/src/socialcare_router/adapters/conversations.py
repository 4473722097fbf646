"""The Conversation repository: one atomic single-document write per change, with its events.

A change is saved with ``replace_one({_id, version: seen})``: optimistic concurrency that
MongoDB 7 and the embedded server both do atomically, with no transaction. The events the
change raised are stored in the same document (its ``outbox``), so an event exists if and
only if its change does; they are published after the write and dropped from the outbox
by the next write once Kafka has acknowledged them. Agent load moves here, and only here,
from the aggregate's assignment changes: a gain reserves capacity with a conditional
update before the write, a loss gives it back after.
"""

import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from cachetools import LRUCache
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from socialcare_contracts.events import ConversationUpdated
from socialcare_contracts.messages import Platform
from socialcare_contracts.tolerant import as_member, prune
from socialcare_router.adapters.coalescing import insert_once, lookup_by_id, replace_versioned
from socialcare_router.adapters.open_work import OpenWork
from socialcare_router.adapters.timers import TimerBuckets
from socialcare_router.domain.conversation import Conversation

log = logging.getLogger(__name__)
Document = dict[str, Any]
Events = list[tuple[str, str, ConversationUpdated]]


class VersionConflict(Exception):
    """Someone else saved the conversation since it was loaded: load again and retry."""


class AtCapacity(Exception):
    """The agent holds as many open conversations as their capacity allows."""


def conversation_event(conversation: Conversation, change: str) -> ConversationUpdated:
    """The public view of a conversation after ``change``."""
    return ConversationUpdated(
        conversation_id=conversation.id, change=change, status=conversation.status,
        # A platform a newer ingest added is passed on as sent (the tolerant reader's rule).
        platform=as_member(Platform, conversation.platform),
        brand_account=conversation.brand_account,
        customer_id=conversation.customer_id, queue=conversation.queue,
        priority=conversation.priority, message_count=len(conversation.message_keys),
        first_response_due_at=conversation.first_response_due_at,
        first_response_at=conversation.first_response_at, updated_at=conversation.updated_at,
        version=conversation.version)


class ConversationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.conversations = db.conversations
        self.agents = db.agents
        # Conversations whose outbox could not be published (Kafka down): the relay's list,
        # so it reads pending work by _id instead of scanning every conversation.
        self.pending = db.outbox_pending
        self.timers = TimerBuckets(db)
        self.open_work = OpenWork(db)
        self._published: LRUCache[str, bool] = LRUCache(maxsize=100_000)
        # Loaded documents that have no version yet (stored before the aggregate existed).
        self._unversioned: set[str] = set()
        # A batch's conversations are loaded and saved concurrently by the worker: their
        # reads and writes that are ready together travel as one request (see coalescing).
        self._lookup = lookup_by_id(self.conversations)
        self._insert = insert_once(self.conversations)
        self._replace = replace_versioned(self.conversations)

    async def get(self, conversation_id: str) -> Conversation | None:
        doc = await self._lookup(conversation_id)
        if doc is None:
            return None
        if "version" not in doc:
            self._unversioned.add(conversation_id)
        return Conversation.model_validate(doc)

    async def save(self, conversation: Conversation, now: datetime
                   ) -> list[tuple[str, str, ConversationUpdated]]:
        """Stores the change and its events at once; returns the events to publish.

        Raises VersionConflict (nothing written) or AtCapacity (nothing written).
        """
        # Net per agent: a transfer back to the agent who holds it moves no load, and must
        # not need a free slot of the capacity that conversation already takes.
        net: Counter[str] = Counter()
        for change in conversation.assignment_changes:
            net[change.agent_id] += change.delta
        gains = [agent_id for agent_id, delta in net.items() for _ in range(delta)]
        losses = [agent_id for agent_id, delta in net.items() for _ in range(-delta)]
        reserved: list[str] = []
        try:
            for agent_id in gains:
                if not await self._reserve(agent_id):
                    raise AtCapacity(f"agent {agent_id} is at capacity")
                reserved.append(agent_id)
            events = await self._write(conversation, now)
        except BaseException:
            for agent_id in reserved:
                await self._load(agent_id, -1)
            raise
        for agent_id in losses:
            await self._load(agent_id, -1)
        return events

    async def _write(self, conversation: Conversation, now: datetime
                     ) -> list[tuple[str, str, ConversationUpdated]]:
        seen = conversation.version
        conversation.version = seen + 1
        fresh, entries = [], []
        for index, change in enumerate(conversation.changes):
            event_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                      f"{conversation.id}:{conversation.version}:{index}"))
            event = conversation_event(conversation, change)
            fresh.append((event_id, conversation.id, event))
            entries.append({"id": event_id, "at": now, "event": event.model_dump(mode="json")})
        inherited = [e for e in conversation.outbox if e["id"] not in self._published]
        conversation.outbox = inherited + entries
        # The timer entry goes first: a stored deadline must never lack one, while an
        # entry whose write then fails only makes a timer look and find nothing due.
        moved = conversation.timers_moved()
        if moved:
            await self.timers.schedule(conversation.id, moved, now)
        # write_id tells this write from a concurrent one when writes travel grouped.
        doc = conversation.to_document() | {"write_id": uuid.uuid4().hex}
        # The open-work entry goes first too: an open conversation is never missing from
        # the queue views; one this write then fails to match is repaired below or on read.
        await self.open_work.before_write(doc)
        if seen == 0 and conversation.id in self._unversioned:
            # Stored before versions existed: replace it while it still has none.
            written = await self._replace(({"$exists": False}, doc))
            self._unversioned.discard(conversation.id)
        else:
            written = await (self._insert(doc) if seen == 0 else self._replace((seen, doc)))
        if not written:
            conversation.version = seen
            await self._repair_entry(conversation.id)
            raise VersionConflict(conversation.id)
        try:
            await self.open_work.after_write(doc)
        except PyMongoError as exc:  # the change stands; a resolved entry is skipped by views
            log.warning("conversation %s: open-work entry kept (%s)", conversation.id,
                        type(exc).__name__)
        conversation.timers_stored()
        # Older events not known to be acknowledged go first: they may be in flight from
        # another process, or left by one that died. A repeat is harmless (same id and
        # version); publishing a newer version before an older one would not be.
        return _events(conversation.id, inherited) + fresh

    async def _repair_entry(self, conversation_id: str) -> None:
        """The entry written for a change that lost its race goes back to what is stored."""
        stored = await self.conversations.find_one({"_id": conversation_id})
        await self.open_work.repair([stored], [conversation_id])

    async def update(self, conversation_id: str,
                     apply: Callable[[Conversation, datetime], object],
                     clock: Callable[[], datetime],
                     before_save: Callable[[Conversation, datetime], Awaitable[None]] | None = None,
                     attempts: int = 8) -> tuple[Conversation | None, Events | None]:
        """Load, apply, save; again from a fresh load when someone saved it meanwhile.

        ``apply`` returning False means nothing changed (no write; events None). Returns
        (None, None) when there is no such conversation; its exceptions pass through.
        """
        for _ in range(attempts):
            conversation = await self.get(conversation_id)
            if conversation is None:
                return None, None
            now = clock()
            if apply(conversation, now) is False:
                return conversation, None
            if before_save is not None:
                await before_save(conversation, now)
            try:
                return conversation, await self.save(conversation, now)
            except VersionConflict:
                continue
        raise VersionConflict(conversation_id)

    def published(self, event_ids: list[str]) -> None:
        """Kafka acknowledged these: the next write of their conversation drops them."""
        for event_id in event_ids:
            self._published[event_id] = True

    async def clear_published(self, conversation_id: str, event_ids: list[str]) -> None:
        """Drops acknowledged events now (the API's path: no next write may come soon)."""
        self.published(event_ids)
        await self.conversations.update_one(
            {"_id": conversation_id}, {"$pull": {"outbox": {"id": {"$in": event_ids}}}})

    # --- the relay's list ---------------------------------------------------------------

    async def mark_pending(self, conversation_id: str, now: datetime) -> None:
        await self.pending.update_one({"_id": conversation_id},
                                      {"$setOnInsert": {"since": now}}, upsert=True)

    async def pending_ids(self, limit: int) -> list[str]:
        return [d["_id"] async for d in self.pending.find({}, {"_id": 1}).limit(limit)]

    async def outbox_of(self, conversation_id: str) -> list[tuple[str, str, ConversationUpdated]]:
        doc = await self.conversations.find_one({"_id": conversation_id}, {"outbox": 1})
        return _events(conversation_id, (doc or {}).get("outbox", []))

    @staticmethod
    def outbox_events(conversation: Conversation) -> list[tuple[str, str, ConversationUpdated]]:
        """Every event still in the conversation's outbox (a redelivery publishes them again)."""
        return _events(conversation.id, conversation.outbox)

    async def unmark_if_empty(self, conversation_id: str) -> None:
        doc = await self.conversations.find_one({"_id": conversation_id}, {"outbox": 1})
        if not (doc or {}).get("outbox"):
            await self.pending.delete_one({"_id": conversation_id})

    # --- agent load ---------------------------------------------------------------------

    async def _reserve(self, agent_id: str) -> bool:
        agent = await self.agents.find_one({"_id": agent_id}, {"capacity": 1})
        if agent is None:
            return False
        result = await self.agents.update_one(
            {"_id": agent_id, "load": {"$lt": agent.get("capacity", 0)}}, {"$inc": {"load": 1}})
        return result.modified_count == 1

    async def _load(self, agent_id: str, delta: int) -> Document | None:
        # Never below zero: a release after a manual reset of the load must not go negative.
        return await self.agents.find_one_and_update(
            {"_id": agent_id, "load": {"$gte": 1} if delta < 0 else {"$exists": True}},
            {"$inc": {"load": delta}}, return_document=ReturnDocument.AFTER)


def _events(conversation_id: str, entries: list[Document]
            ) -> list[tuple[str, str, ConversationUpdated]]:
    # Read as consumers read events: one stored by a newer version, or carrying a platform
    # a newer ingest added, is still published.
    return [(e["id"], conversation_id,
             ConversationUpdated.model_validate(prune(ConversationUpdated, e["event"])))
            for e in entries]
