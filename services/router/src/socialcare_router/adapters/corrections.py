"""Agents' corrections of messages' labels, one document per brand and message.

Keyed by ``_id`` (``domain.corrections.correction_id``): a correction is one atomic
upsert, and a conversation's corrections are read by their ids. Only supervisors' lists and
exports read by brand; the collection holds what people typed, so it stays small, and
those reads are bounded (MongoDB 7 uses the index below; mongo-java-server scans).
"""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_router.domain.corrections import Labels, correction_id, original_labels

Document = dict[str, Any]
# A supervisor's brands (newest first, merged per brand), and everything for an admin.
INDEXES = [IndexModel([("brand_account", ASCENDING), ("corrected_at", DESCENDING)],
                      name="brand_corrected_at"),
           IndexModel([("corrected_at", DESCENDING)], name="corrected_at")]


class CorrectionStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.corrections = db.corrections
        self.messages = db.messages

    async def create_indexes(self) -> None:
        await self.corrections.create_indexes(INDEXES)

    async def message(self, message_id: str) -> Document | None:
        """The stored message a correction is about (by ``_id``)."""
        return await self.messages.find_one(
            {"_id": message_id}, {"text": 1, "classification": 1, "conversation_id": 1,
                                  "direction": 1, "created_at": 1})

    async def correct(self, message: Document, brand_account: str, labels: Labels,
                      agent_id: str, at: datetime) -> Document:
        """Stores (or merges into) the message's correction; the stored document after it.

        The text and the classifier's labels are copied in once, so the training example
        stands even after the message is gone; who and when are the latest correction's.
        """
        return await self.corrections.find_one_and_update(
            {"_id": correction_id(brand_account, message["_id"])},
            {"$set": {**{f"labels.{k}": v for k, v in labels.given().items()},
                      "corrected_by": agent_id, "corrected_at": at},
             "$inc": {"changes": 1},
             "$setOnInsert": {"brand_account": brand_account, "message_id": message["_id"],
                              "conversation_id": message.get("conversation_id"),
                              "text": message.get("text", ""),
                              "message_created_at": message.get("created_at"),
                              "original": original_labels(message.get("classification")),
                              "first_corrected_at": at}},
            upsert=True, return_document=ReturnDocument.AFTER)

    async def of_messages(self, brand_account: str, message_ids: list[str]
                          ) -> list[Document]:
        """The corrections of these messages (a conversation's), by their ids."""
        if not message_ids:
            return []
        ids = [correction_id(brand_account, m) for m in message_ids]
        return await self.corrections.find({"_id": {"$in": ids}}).to_list()

    async def recent(self, brands: list[str] | None, before: datetime | None,
                     limit: int, before_id: str | None = None) -> list[Document]:
        """The newest corrections of ``brands`` (None: all), before a time: one page. With
        ``before_id`` (the last one of the previous page), those of that very time whose
        ``_id`` sorts before it too: a page may end amid corrections made at one instant."""
        query = self._of(brands)
        if before is not None and before_id is not None:
            query["$or"] = [{"corrected_at": {"$lt": before}},
                            {"corrected_at": before, "_id": {"$lt": before_id}}]
        elif before is not None:
            query["corrected_at"] = {"$lt": before}
        cursor = self.corrections.find(query).sort(
            [("corrected_at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
        return await cursor.to_list()

    async def export(self, brands: list[str] | None, limit: int
                     ) -> AsyncIterator[Document]:
        """Up to ``limit`` corrections of ``brands``, oldest first (the order agents made
        them), streamed."""
        cursor = self.corrections.find(self._of(brands), batch_size=1_000).sort(
            [("corrected_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        async for doc in cursor:
            yield doc

    @staticmethod
    def _of(brands: list[str] | None) -> Document:
        return {} if brands is None else {"brand_account": {"$in": brands}}
