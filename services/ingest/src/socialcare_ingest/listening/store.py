"""Listening rules and since_id checkpoints in MongoDB, keyed by rule set id."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from socialcare_ingest.domain.listening import ListeningRules


class ListeningStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.rules = db["listening_rules"]
        self.checkpoints = db["listening_checkpoints"]

    async def ensure_indexes(self) -> None:
        """Indexes for listing a brand's rule sets (point lookups use _id)."""
        await self.rules.create_index("brand_account")

    async def put(self, rule_set: str, rules: ListeningRules, by: str) -> None:
        """Creates or replaces a rule set; the poller sees it on its next cycle."""
        await self.rules.replace_one(
            {"_id": rule_set},
            {**rules.model_dump(mode="json"), "updated_by": by, "updated_at": datetime.now(UTC)},
            upsert=True)

    async def get(self, rule_set: str) -> ListeningRules | None:
        doc = await self.rules.find_one({"_id": rule_set})
        return _rules(doc) if doc else None

    async def all(self) -> dict[str, ListeningRules]:
        """Every rule set by id (a handful per brand: read whole each cycle)."""
        return {doc["_id"]: _rules(doc) async for doc in self.rules.find({}).limit(10_000)}

    async def delete(self, rule_set: str) -> bool:
        await self.checkpoints.delete_one({"_id": rule_set})
        return (await self.rules.delete_one({"_id": rule_set})).deleted_count == 1

    async def cursor(self, rule_set: str, query: str) -> "Cursor":
        """Where polling of this rule set's current query stands."""
        doc = await self.checkpoints.find_one({"_id": rule_set})
        # A changed query starts afresh: earlier matches of the new terms are wanted too.
        if not doc or doc.get("query") != query:
            return Cursor()
        return Cursor(doc.get("since_id"), doc.get("next_token"), doc.get("newest_id"))

    async def save_cursor(self, rule_set: str, query: str, cursor: "Cursor") -> None:
        """Records progress only after the tweets it covers were acknowledged by Kafka."""
        await self.checkpoints.update_one(
            {"_id": rule_set},
            {"$set": {"query": query, "since_id": cursor.since_id,
                      "next_token": cursor.next_token, "newest_id": cursor.newest_id,
                      "updated_at": datetime.now(UTC)}},
            upsert=True)


@dataclass(frozen=True)
class Cursor:
    """``since_id`` done; while paging, ``next_token`` and the ``newest_id`` of the run."""

    since_id: str | None = None
    next_token: str | None = None
    newest_id: str | None = None


def _rules(doc: dict[str, Any]) -> ListeningRules:
    return ListeningRules.model_validate(
        {k: v for k, v in doc.items() if k in ListeningRules.model_fields})
