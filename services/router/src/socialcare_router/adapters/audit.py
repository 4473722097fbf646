"""The audit trail: who did what, to which conversation or setting, and when.

Append-only; one small insert per action. Read by supervisors through the API, newest
first, within their brands.
"""

import uuid
from datetime import datetime
from typing import Any

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [IndexModel([("at", DESCENDING)], name="audit_at")]


class AuditLog:
    def __init__(self, db: AsyncDatabase) -> None:
        self.entries = db.audit

    async def record(self, actor_id: str, role: str, action: str, at: datetime, *,
                     conversation_id: str | None = None, brand_account: str | None = None,
                     target: str | None = None, details: dict[str, Any] | None = None) -> None:
        await self.entries.insert_one({
            "_id": uuid.uuid4().hex, "at": at, "actor_id": actor_id, "role": role,
            "action": action, "conversation_id": conversation_id,
            "brand_account": brand_account, "target": target, "details": details or {}})

    async def read(self, brands: list[str] | None, conversation_id: str | None,
                   before: datetime | None, limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {}
        if brands is not None:  # settings changes (no brand) are shown to every supervisor
            query["brand_account"] = {"$in": [*brands, None]}
        if conversation_id is not None:
            query["conversation_id"] = conversation_id
        if before is not None:
            query["at"] = {"$lt": before}
        cursor = self.entries.find(query).sort("at", DESCENDING).limit(limit)
        return await cursor.to_list()
