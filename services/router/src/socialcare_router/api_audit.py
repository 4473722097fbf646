"""The audit trail for supervisors: who claimed, transferred, replied, noted, tagged,
resolved or reopened what, and every settings change, newest first."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from socialcare_router.deps import AUTH_ERRORS, ROLE_ERRORS, StoreDep, Supervisor, actor_of
from socialcare_router.views import QueryTimestamp

router = APIRouter(prefix="/v1", tags=["audit"], responses={**AUTH_ERRORS, **ROLE_ERRORS})


class AuditEntry(BaseModel):
    id: str
    at: AwareDatetime
    actor_id: str
    role: str
    action: str
    conversation_id: str | None = None
    brand_account: str | None = None
    target: str | None = None
    details: dict[str, Any] = {}


@router.get("/audit", response_model=list[AuditEntry])
async def read_audit(
    user: Supervisor, store: StoreDep,
    conversation_id: Annotated[str | None, Query(max_length=64)] = None,
    before: QueryTimestamp | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Entries of the caller's brands (and settings changes), newest first; page with before."""
    entries = await store.audit.read(actor_of(user).brand_filter(), conversation_id, before,
                                     limit)
    return [{"id": e.pop("_id"), **e} for e in entries]
