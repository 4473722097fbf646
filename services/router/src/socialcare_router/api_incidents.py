"""Incidents for supervisors: the surges running now and recent ones, each with its rate
curve (messages per minute of the brand) from a little before it opened to now or its end."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from socialcare_contracts.limits import CleanText
from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ROLE_ERRORS,
    SettingsDep,
    StoreDep,
    Supervisor,
    actor_of,
)
from socialcare_router.views import doc_id_view
from socialcare_runtime.http_errors import error_responses

router = APIRouter(prefix="/v1", tags=["incidents"], responses={**AUTH_ERRORS, **ROLE_ERRORS})
# The curve starts before the incident, so the jump from the usual rate shows.
LEAD = timedelta(minutes=30)


class IncidentRouting(BaseModel):
    """What applies to the incident's messages (its intent, or all of the brand's for
    '*') while it is open: another queue, a higher priority, a holding reply."""

    model_config = ConfigDict(extra="forbid")
    queue: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    priority_boost: int = Field(default=0, ge=0, le=50)
    holding_reply: Annotated[CleanText, Field(min_length=1, max_length=1_000)] | None = Field(
        default=None, description="Sent at once to every new customer of the incident, so "
                                  "each is answered within the first-response deadline; "
                                  "{customer_name} is filled in")


class Incident(BaseModel):
    id: str
    status: str
    brand_account: str
    intent: str
    opened_at: AwareDatetime = Field(description="Event time of the surge's messages")
    detected_at: AwareDatetime | None = Field(
        default=None, description="When the router saw it: later than opened_at while "
                                  "routing lags")
    closed_at: AwareDatetime | None = None
    messages: int
    per_minute: float
    baseline_per_minute: float
    peak_per_minute: float
    negative_share: float
    updated_at: AwareDatetime
    routing: IncidentRouting | None = None


class RatePoint(BaseModel):
    minute: str
    messages: int
    negative: int


class IncidentDetail(Incident):
    curve: list[RatePoint]


@router.get("/incidents", response_model=list[Incident])
async def list_incidents(user: Supervisor, store: StoreDep,
                         limit: Annotated[int, Query(ge=1, le=200)] = 50
                         ) -> list[dict[str, Any]]:
    """Incidents of the caller's brands: open ones first, then the latest."""
    return [doc_id_view(d) for d in await store.incidents.recent(actor_of(user).brand_filter(),
                                                           limit)]


@router.get("/incidents/{incident_id}", response_model=IncidentDetail,
            responses=error_responses(404, s404="No such incident"))
async def get_incident(incident_id: Annotated[str, Path(max_length=64)], user: Supervisor,
                       store: StoreDep) -> dict[str, Any]:
    """One incident with its brand's messages per minute around it."""
    doc = await store.incidents.get(incident_id)
    if doc is None or not actor_of(user).covers(doc["brand_account"]):
        raise HTTPException(404, f"no incident {incident_id}")
    end = doc.get("closed_at") or datetime.now(UTC)
    curve = await store.volume.curve(doc["brand_account"], doc["opened_at"] - LEAD, end)
    return {**doc_id_view(doc), "curve": curve}


@router.put("/incidents/{incident_id}/routing", response_model=Incident,
            responses={**BODY_ERRORS, **error_responses(
                404, 409, 422, s404="No such incident", s409="The incident is closed",
                s422="Invalid input, or no such queue")})
async def set_incident_routing(incident_id: Annotated[str, Path(max_length=64)],
                               body: IncidentRouting, user: Supervisor, store: StoreDep,
                               settings: SettingsDep) -> dict[str, Any]:
    """Routes the incident's messages while it lasts; recorded in the audit trail."""
    if body.queue is not None and body.queue not in (settings.default_queue,
                                                     settings.escalation_queue) \
            and await store.config.get("queues", body.queue) is None:
        raise HTTPException(422, f"no queue {body.queue}")
    return await _route(store, user, incident_id, body.model_dump())


@router.delete("/incidents/{incident_id}/routing", response_model=Incident,
               responses=error_responses(404, 409, s404="No such incident",
                                         s409="The incident is closed"))
async def clear_incident_routing(incident_id: Annotated[str, Path(max_length=64)],
                                 user: Supervisor, store: StoreDep) -> dict[str, Any]:
    """Routes the incident's messages by the rules again."""
    return await _route(store, user, incident_id, None)


async def _route(store: Any, user: Any, incident_id: str, routing: dict[str, Any] | None
                 ) -> dict[str, Any]:
    doc = await store.incidents.get(incident_id)
    if doc is None or not actor_of(user).covers(doc["brand_account"]):
        raise HTTPException(404, f"no incident {incident_id}")
    now = datetime.now(UTC)
    updated = await store.incidents.set_routing(incident_id, routing, now)
    if updated is None:
        raise HTTPException(409, "the incident is closed")
    await store.config.bump_version(now)  # workers load the routing in force
    await store.audit.record(user.id, user.role, "incident.routing", now, target=incident_id,
                             brand_account=doc["brand_account"], details=routing or {})
    return doc_id_view(updated)
