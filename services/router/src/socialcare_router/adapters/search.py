"""Inbox search backends: MongoDB's text index where the server has one, else SQLite FTS5.

Which runs where, and why (chosen once, at start, by ``open_search``):

- MongoDB 7+ (production): ``$text`` over a text index on the messages' text and author
  (created here). The server keeps it current with every write, so nothing else runs.
  ``$text`` matches whole words and their English stems ("refunds" finds "refund"), not
  the start of a word: on MongoDB "refun" finds nothing.
- mongo-java-server (the local default and the tests) accepts a text index but refuses
  ``$text``, and scans the collection for any query not on ``_id``. There the inbox API
  process keeps its own SQLite FTS5 index (the stdlib's sqlite3) in a temporary file:
  built at start from one batched, projected pass over ``messages`` (and one over
  ``conversations`` for their brands), then kept current from Kafka, every partition read
  by each process (no consumer group). A customer message is stored by the router after
  its ``messages.classified`` event, so the event's key waits until MongoDB holds the
  message (looked up by ``_id``);
  ``replies.sent`` brings agents' replies, ``conversations.updated`` new conversations'
  brands. Each process reads the topics from ``lookback_s`` before its start, so what
  the router stored while the index was being built is caught too.

Nothing here logs a message's text, a handle or a query.
"""

import logging
import uuid
from pathlib import Path
from typing import Any, Protocol

from pymongo import DESCENDING, TEXT, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from socialcare_router.adapters.local_search import Feed, LocalSearch, aware
from socialcare_router.domain.search import MessageMatch, SearchQuery, mongo_text_search

log = logging.getLogger(__name__)
TEXT_INDEX = IndexModel([("text", TEXT), ("author.handle", TEXT),
                         ("author.display_name", TEXT)],
                        name="message_search", default_language="english",
                        # Messages carry no top-level "language": keep it that way for $text.
                        language_override="search_language")


class SearchIndex(Protocol):
    backend: str

    async def search(self, query: SearchQuery, brands: list[str] | None,
                     limit: int) -> list[MessageMatch]:
        """The newest matching message of up to ``limit`` conversations, newest first."""
        ...

    async def stop(self) -> None: ...


class MongoTextSearch:
    backend = "mongodb-text"

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def probe(self) -> bool:
        """Whether the server answers ``$text``; if so, creates the messages' text index.

        Tried on a scratch collection holding a document: mongo-java-server only fails
        when it evaluates ``$text`` against one, so an empty collection would pass.
        """
        scratch = self.db[f"search_probe_{uuid.uuid4().hex[:8]}"]
        try:
            await scratch.create_indexes([TEXT_INDEX])
            await scratch.insert_one({"text": "probe"})
            found = await scratch.find({"$text": {"$search": "probe"}}).to_list()
            if len(found) != 1:
                raise OperationFailure("$text did not find the probe", 0)
            await self.db.messages.create_indexes([TEXT_INDEX])
        except OperationFailure as exc:
            log.info("MongoDB text search unavailable (code %s): using SQLite FTS5", exc.code)
            return False
        finally:
            await scratch.drop()
        return True

    async def search(self, query: SearchQuery, brands: list[str] | None,
                     limit: int) -> list[MessageMatch]:
        cursor = await self.db.messages.aggregate(text_search_pipeline(query, brands, limit),
                                                  allowDiskUse=True)
        return [MessageMatch(d["_id"], d["key"], d.get("text") or "", aware(d["at"]))
                async for d in cursor]

    async def stop(self) -> None:
        return None


def text_search_pipeline(query: SearchQuery, brands: list[str] | None,
                         limit: int) -> list[dict[str, Any]]:
    """The newest ``$text`` match of each conversation in ``brands``, newest first."""
    scope = [{"$match": {"brand": {"$in": brands}}}] if brands is not None else []
    return [
        {"$match": {"$text": {"$search": mongo_text_search(query)},
                    "conversation_id": {"$nin": [None, ""]}}},
        {"$sort": {"created_at": DESCENDING}},
        {"$group": {"_id": "$conversation_id", "key": {"$first": "$_id"},
                    "text": {"$first": "$text"}, "at": {"$first": "$created_at"}}},
        # The conversation's brand, by _id, only for those that matched.
        {"$lookup": {"from": "conversations", "localField": "_id", "foreignField": "_id",
                     "pipeline": [{"$project": {"brand_account": 1}}], "as": "c"}},
        {"$set": {"brand": {"$first": "$c.brand_account"}}},
        *scope,
        {"$sort": {"at": DESCENDING, "_id": DESCENDING}},
        {"$limit": limit},
    ]


async def conversations_by_id(db: AsyncDatabase, ids: list[str]) -> dict[str, dict[str, Any]]:
    """What a result shows of each conversation, as it stands now (one query, by _id)."""
    if not ids:
        return {}
    cursor = db.conversations.find({"_id": {"$in": ids}}, {
        "brand_account": 1, "platform": 1, "customer": 1, "status": 1})
    return {c["_id"]: c for c in await cursor.to_list()}


async def open_search(db: AsyncDatabase, feed: Feed, directory: Path | None = None
                      ) -> SearchIndex:
    """The backend this server allows, started: MongoDB's ``$text``, else local FTS5."""
    text = MongoTextSearch(db)
    if await text.probe():
        return text
    local = LocalSearch(db, feed, directory)
    try:
        await local.start()
    except BaseException:
        await local.stop()
        raise
    return local
