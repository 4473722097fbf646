"""MongoDB repositories for conversations, messages and replies.

Every write is a single-document operation that is safe to repeat (upserts keyed by
deterministic ids, ``$addToSet``, ``$max``/``$min``), because consumers are at-least-once:
processing an event twice must leave the same documents.
"""

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from tenacity import AsyncRetrying

from socialcare_router.adapters.audit import INDEXES as AUDIT_INDEXES
from socialcare_router.adapters.audit import AuditLog
from socialcare_router.adapters.clusters import ClusterIndex
from socialcare_router.adapters.coalescing import insert_once, lookup_by_id, upsert_by_id
from socialcare_router.adapters.config_store import ConfigStore
from socialcare_router.adapters.conversations import ConversationRepository
from socialcare_router.adapters.open_work import INDEXES as OPEN_WORK_INDEXES
from socialcare_router.adapters.open_work import RESOLVED
from socialcare_router.adapters.volume import VolumeCounter
from socialcare_router.adapters.work_store import WorkStore
from socialcare_router.domain.threading import KnownConversation
from socialcare_runtime.mongo import TRANSIENT_ERRORS
from socialcare_runtime.retries import retry_policy

Document = dict[str, Any]
EPOCH = datetime.min.replace(tzinfo=UTC)

INDEXES: dict[str, list[IndexModel]] = {
    "conversations": [
        # A versioned save filters on (_id, version): mongo-java-server serves a query from
        # an index only when its fields are exactly the index's keys, so without this every
        # save (one per message, every claim) scanned the collection.
        IndexModel([("_id", ASCENDING), ("version", ASCENDING)], name="id_version",
                   unique=True),
        # Lists of resolved conversations (history); open ones are read from open_work.
        IndexModel([("queue", ASCENDING), ("status", ASCENDING),
                    ("due_at", ASCENDING)], name="queue_status_due"),
        IndexModel([("assignee", ASCENDING), ("status", ASCENDING),
                    ("due_at", ASCENDING)], name="assignee_status_due"),
        IndexModel([("platform", ASCENDING), ("brand_account", ASCENDING),
                    ("customer_id", ASCENDING), ("last_message_at", DESCENDING)],
                   name="customer_conversations"),
        # Escalation timers and snooze wake-ups read keyed buckets (adapters/timers), not
        # an index over every conversation's deadlines.
        # Reports over a period, by when the customer first wrote.
        IndexModel([("first_message_at", ASCENDING)], name="first_message_at"),
    ],
    "replies": [
        IndexModel([("conversation_id", ASCENDING), ("requested_at", ASCENDING)],
                   name="conversation_replies"),
    ],
    "open_work": OPEN_WORK_INDEXES,
    "audit": AUDIT_INDEXES,
    "notes": [
        IndexModel([("conversation_id", ASCENDING), ("created_at", ASCENDING)],
                   name="conversation_notes"),
    ],
}
# Indexes earlier releases created that no query uses any more: dropped, since every
# index costs each write on MongoDB 7.
RETIRED: dict[str, list[str]] = {
    "conversations": ["escalate_at", "resolution_escalate_at", "snoozed",
                      # lists by priority read open_work
                      "queue_status_priority_due", "assignee_status_priority_due"],
    "messages": ["conversation_thread"],  # a thread is read by its keys
}
# Filters the queue views accept on top of the index prefix; the sort stays on the index.
VIEW_FILTERS = ("platform", "intents", "sentiment", "tags", "language")
LIST_PROJECTION = {"outbox": 0, "history": 0}


class Store:
    def __init__(self, client: AsyncMongoClient, database: str) -> None:
        self.db: AsyncDatabase = client[database]
        self.conversations = self.db.conversations
        self.messages = self.db.messages
        self.replies = self.db.replies
        # One document per customer and brand account, pointing at their latest conversation:
        # threading then needs only lookups by _id, which every MongoDB server does fast.
        self.customers = self.db.customers
        self.config = ConfigStore(self.db)
        self.repository = ConversationRepository(self.db)
        self.open_work = self.repository.open_work
        self.work = WorkStore(self.db, self.open_work)
        self.audit = AuditLog(self.db)
        self.incidents = self.config.incidents
        self.volume = VolumeCounter(self.db)
        self.clusters = ClusterIndex(self.db)
        # Brand replies that arrived before the message they answer, keyed by that message.
        self.awaiting = self.db.awaiting_parent
        # The worker routes a batch's conversations concurrently: their _id lookups and
        # repeatable writes that are ready together go as one request (see coalescing).
        self._message_conversation = lookup_by_id(self.messages,
                                                  {"conversation_id": 1, "customer_id": 1})
        self._customer = lookup_by_id(self.customers)
        self._awaiting = lookup_by_id(self.awaiting)
        self._insert_message = insert_once(self.messages)
        self._upsert_customer = upsert_by_id(self.customers)

    async def create_indexes(self) -> None:
        """Creates every index the queries need (a no-op when they exist); drops retired ones;
        builds the open work of a store written before it existed (once).

        A MongoDB server that is away or too busy to answer for a while (restarting, in the
        fault runs) is waited for, up to two minutes, instead of failing the process start.
        """
        await AsyncRetrying(**retry_policy(
            "preparing the router's collections", lambda exc: isinstance(exc, TRANSIENT_ERRORS),
            initial_s=0.5, max_s=5.0, give_up_after_s=120.0))(self._prepare)

    async def _prepare(self) -> None:
        for collection, indexes in INDEXES.items():
            await self.db[collection].create_indexes(indexes)
        for collection, names in RETIRED.items():
            existing = {index["name"] async for index in await self.db[collection].list_indexes()}
            for name in set(names) & existing:
                await self.db[collection].drop_index(name)
        await self.open_work.adopt(self.conversations)

    async def ping(self) -> bool:
        await self.db.command("ping")
        return True

    # --- messages -------------------------------------------------------------------

    async def thread_of_message(self, key: str) -> tuple[str, str | None] | None:
        """(conversation, customer) of a stored message; the customer may be unknown."""
        found = await self._message_conversation(key)
        return (found["conversation_id"], found.get("customer_id")) if found else None

    async def conversation_of_message(self, key: str, customer: str | None = None
                                      ) -> str | None:
        """The message's conversation; with ``customer``, only if it is that customer's
        (another customer answering in someone's public thread has a conversation of
        their own: a reply to it would go to the wrong person)."""
        thread = await self.thread_of_message(key)
        if thread is None or customer is not None and thread[1] not in (None, customer):
            return None
        return thread[0]

    async def add_message(self, doc: Document) -> bool:
        """Stores a message once; False when it was already there."""
        return await self._insert_message(doc)

    async def await_parent(self, parent_key: str, doc: Document) -> None:
        """Keeps a reply whose parent message has not arrived; repeatable."""
        await self.awaiting.update_one({"_id": parent_key},
                                       {"$addToSet": {"replies": doc}}, upsert=True)

    async def replies_awaiting(self, key: str) -> list[Document]:
        found = await self._awaiting(key)
        return found["replies"] if found else []

    async def forget_awaiting(self, key: str, reply_ids: list[str]) -> None:
        """Drops the replies applied; one kept meanwhile stays for its own writer to apply."""
        await self.awaiting.update_one({"_id": key},
                                       {"$pull": {"replies": {"_id": {"$in": reply_ids}}}})
        await self.awaiting.delete_one({"_id": key, "replies": {"$size": 0}})

    async def thread(self, conversation_id: str, limit: int = 500) -> list[Document]:
        """The conversation's messages, oldest first: read by the keys the conversation
        lists, so the cost is its own messages, not every message stored."""
        keys = await self.conversations.find_one(
            {"_id": conversation_id}, {"message_keys": 1, "response_keys": 1})
        if keys is None:
            return []
        wanted = [*keys.get("message_keys", ()), *keys.get("response_keys", ())]
        found = [m async for m in self.messages.find({"_id": {"$in": wanted}})] if wanted \
            else []
        return sorted(found, key=lambda m: (m.get("created_at") or EPOCH, m["_id"]))[:limit]

    # --- conversations --------------------------------------------------------------

    async def latest_of_customer(self, customer_key: str) -> KnownConversation | None:
        found = await self._customer(customer_key)
        return KnownConversation(found["conversation_id"], found["last_message_at"]) \
            if found else None

    async def remember_customer(self, customer_key: str, conversation_id: str,
                                message_at: datetime) -> None:
        """Points the customer at the conversation they last wrote in, and lists it among
        theirs (their history is then read by key); repeatable."""
        await self._upsert_customer((customer_key, {
            "$set": {"conversation_id": conversation_id},
            "$addToSet": {"conversations": conversation_id},
            "$max": {"last_message_at": message_at}}))

    async def get_conversation(self, conversation_id: str) -> Document | None:
        return await self.conversations.find_one({"_id": conversation_id})

    async def queue_page(self, queue: str | None, status: str, limit: int,
                         after: tuple[datetime, str, int | None] | None,
                         assignee: str | None = None,
                         filters: Document | None = None,
                         min_priority: int | None = None,
                         brands: list[str] | None = None,
                         by_priority: bool = False) -> list[Document]:
        """A queue's (or an agent's) conversations by due time then id: keyset pages.

        Open and waiting conversations are listed from their open-work entries (which
        hold these fields under the same names), resolved ones from the conversations.
        """
        if (queue is not None and assignee is None and not filters and min_priority is None
                and not by_priority and status != RESOLVED):
            # The common view reads keyed buckets (adapters/page_buckets), not every entry.
            page = await self.open_work.buckets.page(queue, status, limit, after, brands,
                                                     self.conversations, LIST_PROJECTION)
            if page is not None:
                return page
        query: Document = {"status": status}
        if queue is not None:
            query["queue"] = queue
        if assignee is not None:
            query["assignee"] = assignee
        query.update({k: v for k, v in (filters or {}).items() if k in VIEW_FILTERS})
        if min_priority is not None:
            query["priority"] = {"$gte": min_priority}
        if after is not None:
            due, last_id, priority = after
            later = [{"due_at": {"$gt": due}}, {"due_at": due, "_id": {"$gt": last_id}}]
            query["$or"] = later if not by_priority else [
                {"priority": {"$lt": priority}}, *({"priority": priority, **c} for c in later)]
        if brands is not None:
            query["brand_account"] = {"$in": brands}
        order = [("due_at", ASCENDING), ("_id", ASCENDING)]
        if by_priority:
            order.insert(0, ("priority", DESCENDING))
        if status != RESOLVED:
            return await self.open_work.page(query, order, limit, self.conversations,
                                             LIST_PROJECTION)
        cursor = self.conversations.find(query, LIST_PROJECTION).sort(order).limit(limit)
        return await cursor.to_list()

    async def texts_of(self, keys: list[str]) -> dict[str, str]:
        """Message texts by message key, for the first words in list views (one query)."""
        cursor = self.messages.find({"_id": {"$in": keys}}, {"text": 1})
        return {m["_id"]: m.get("text", "") for m in await cursor.to_list()}

    def conversations_between(self, start: datetime, end: datetime,
                              brands: list[str] | None) -> Any:
        """Conversations whose customer first wrote in [start, end): a cursor for reports."""
        fields = ["queue", "assignee", "last_assignee", "platform", "brand_account",
                  "sentiment", "intents", "first_message_at", "first_response_at",
                  "first_response_due_at", "resolved_at", "resolution_due_at",
                  "next_responses_met", "next_responses_breached", "escalation",
                  "resolution_escalation", "status"]
        query: Document = {"first_message_at": {"$gte": start, "$lt": end}}
        if brands is not None:
            query["brand_account"] = {"$in": brands}
        return self.conversations.find(query, {f: 1 for f in fields}, batch_size=2_000)

    # --- replies --------------------------------------------------------------------

    async def create_reply(self, doc: Document) -> bool:
        """Stores a requested reply once; False when the id exists (a client retry)."""
        try:
            await self.replies.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    async def get_reply(self, reply_id: str) -> Document | None:
        return await self.replies.find_one({"_id": reply_id})

    async def set_reply_outcome(self, reply_id: str, fields: Document) -> None:
        # A sent outcome is final: a late "failed" from an earlier attempt must not undo it.
        await self.replies.update_one({"_id": reply_id, "status": {"$ne": "sent"}},
                                      {"$set": fields})

    async def mark_queued(self, reply_id: str, now: datetime) -> None:
        """Records that Kafka acknowledged the request; clears a "not queued" mark.

        The outcome may already be stored (the responder can fail a reply within
        milliseconds of it reaching Kafka): that must never be set back to "requested".
        """
        await self.replies.update_one({"_id": reply_id}, {"$set": {"queued_at": now}})
        await self.replies.update_one(
            {"_id": reply_id, "status": "failed", "failure_code": "not_queued"},
            {"$set": {"status": "requested", "failure_code": None, "reason": None}})

    async def replies_of(self, conversation_id: str) -> list[Document]:
        cursor = self.replies.find({"conversation_id": conversation_id}).sort(
            "requested_at", ASCENDING)
        return await cursor.to_list()
