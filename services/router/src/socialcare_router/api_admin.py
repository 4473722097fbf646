"""Inbox routes supervisors and admins use: agents, queues, routing rules, SLAs, saved replies.

Changes to rules, queues and SLA policies bump the routing version, so every worker picks
them up within its refresh interval, without a restart.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field

from socialcare_contracts.limits import CleanText, Int64
from socialcare_router.adapters.store import Store
from socialcare_router.api_bodies import AgentUpdateBody, QueueBody, RuleBody, SlaPolicyBody
from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ROLE_ERRORS,
    AnyUser,
    InboxDep,
    StoreDep,
    Supervisor,
)
from socialcare_router.domain.assignment import Presence
from socialcare_router.domain.rules import RoutingRule
from socialcare_router.inbox import Inbox
from socialcare_router.settings import InboxUser
from socialcare_router.views import doc_id_view
from socialcare_runtime.http_errors import error_responses
from socialcare_text.templates import variables_of

router = APIRouter(prefix="/v1", tags=["administration"], responses=AUTH_ERRORS)
Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.*-]+$")]


class RuleSetBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[RuleBody] = Field(max_length=500, description="Evaluated in order")
    expected_version: Int64 | None = Field(
        default=None, description="Refuse with 409 unless this is the stored version")


class RuleSetView(BaseModel):
    version: int
    rules: list[RoutingRule]


class PresenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    presence: Presence


class SavedReplyDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[CleanText, Field(min_length=1, max_length=200)]
    text: Annotated[CleanText, Field(min_length=1, max_length=5_000)] = Field(
        description="With {customer_name}, {agent_name}, {agent_initials}, {order_number}, "
                    "{link} or any other {variable}")


def now() -> datetime:
    return datetime.now(UTC)


# --- agents ---------------------------------------------------------------------------

@router.get("/agents", tags=["agents"], responses=ROLE_ERRORS)
async def list_agents(_: Supervisor, store: StoreDep) -> list[dict[str, Any]]:
    """Every agent with skills, capacity, presence and current load."""
    return [doc_id_view(a) for a in await store.config.list_all("agents")]


async def _set_agent(store: Store, inbox: Inbox, user: InboxUser, agent_id: str,
                     fields: dict[str, Any]) -> dict[str, Any]:
    doc = await store.config.update_agent(agent_id, fields)
    if doc is None:
        raise HTTPException(404, f"no agent {agent_id}")
    await store.audit.record(user.id, user.role, "agent.update", now(), target=agent_id,
                             details=fields)
    if fields.get("presence") == Presence.OFFLINE.value:
        # Nobody answers an offline agent's work: it goes back to the queue.
        await inbox.return_unanswered(agent_id)
        doc = await store.config.get("agents", agent_id) or doc
    return doc_id_view(doc)


@router.patch("/agents/{agent_id}", tags=["agents"],
              responses={**ROLE_ERRORS, **BODY_ERRORS,
                         **error_responses(404, s404="No such agent")})
async def update_agent(agent_id: Key, body: AgentUpdateBody, user: Supervisor,
                       store: StoreDep, inbox: InboxDep) -> dict[str, Any]:
    """Changes an agent's skills, capacity or presence."""
    return await _set_agent(store, inbox, user, agent_id,
                            body.model_dump(mode="json", exclude_none=True))


@router.put("/me/presence", tags=["agents"],
            responses={**BODY_ERRORS,
                       **error_responses(404, s404="The caller has no agent profile")})
async def set_my_presence(body: PresenceBody, user: AnyUser, store: StoreDep,
                          inbox: InboxDep) -> dict[str, Any]:
    """An agent goes online, away or offline (offline returns unanswered work)."""
    return await _set_agent(store, inbox, user, user.id, {"presence": body.presence.value})


# --- routing rules --------------------------------------------------------------------

@router.get("/routing-rules", response_model=RuleSetView, tags=["routing"],
            responses=ROLE_ERRORS)
async def get_rules(_: Supervisor, store: StoreDep) -> RuleSetView:
    """The ordered rule set in force and its version."""
    doc = await store.config.routing()
    return RuleSetView(version=doc.get("version", 0), rules=doc.get("rules", []))


@router.put("/routing-rules", response_model=RuleSetView, tags=["routing"],
            responses={**ROLE_ERRORS, **BODY_ERRORS, **error_responses(
                409, s409="expected_version is not the stored version")})
async def put_rules(body: RuleSetBody, user: Supervisor, store: StoreDep) -> RuleSetView:
    """Replaces the rule set; workers apply it within seconds."""
    ids = [r.id for r in body.rules]
    if len(set(ids)) != len(ids):
        raise HTTPException(422, "rule ids must be unique")
    doc = await store.config.replace_rules([r.model_dump(mode="json") for r in body.rules],
                                           body.expected_version, now())
    if doc is None:
        raise HTTPException(409, "the rules changed meanwhile; reload and retry")
    await store.audit.record(user.id, user.role, "routing_rules.put", now(),
                             target=str(doc["version"]), details={"rules": ids})
    return RuleSetView(version=doc["version"], rules=doc["rules"])


# --- queues, SLA policies, saved replies: named documents -------------------------------

def _named(collection: str, model: type[BaseModel], read_role: Any, tag: str,
           versioned: bool) -> None:
    path = f"/{collection.replace('_', '-')}"
    read_errors = ROLE_ERRORS if read_role is Supervisor else {}
    missing = error_responses(404, s404=f"No such {collection} entry")

    @router.get(path, tags=[tag], name=f"list_{collection}", responses=read_errors)
    async def list_docs(_: read_role, store: StoreDep) -> list[dict[str, Any]]:
        return [doc_id_view(d) for d in await store.config.list_all(collection)]

    @router.get(path + "/{key}", tags=[tag], name=f"get_{collection}",
                responses={**read_errors, **missing})
    async def get_doc(key: Key, _: read_role, store: StoreDep) -> dict[str, Any]:
        doc = await store.config.get(collection, key)
        if doc is None:
            raise HTTPException(404, f"no {collection} entry {key}")
        return doc_id_view(doc)

    @router.put(path + "/{key}", tags=[tag], name=f"put_{collection}",
                responses={**ROLE_ERRORS, **BODY_ERRORS})
    async def put_doc(key: Key, body: model, user: Supervisor,  # type: ignore[valid-type]
                      store: StoreDep) -> dict[str, Any]:
        doc = await store.config.put(collection, key, body.model_dump(mode="json"))
        await store.audit.record(user.id, user.role, f"{collection}.put", now(), target=key)
        if versioned:
            await store.config.bump_version(now())
        return doc_id_view(doc)

    @router.delete(path + "/{key}", tags=[tag], name=f"delete_{collection}", status_code=204,
                   responses={**ROLE_ERRORS, **missing})
    async def delete_doc(key: Key, user: Supervisor, store: StoreDep) -> None:
        if not await store.config.delete(collection, key):
            raise HTTPException(404, f"no {collection} entry {key}")
        await store.audit.record(user.id, user.role, f"{collection}.delete", now(), target=key)
        if versioned:
            await store.config.bump_version(now())


_named("queues", QueueBody, Supervisor, "routing", versioned=True)
_named("sla_policies", SlaPolicyBody, Supervisor, "routing", versioned=True)
_named("saved_replies", SavedReplyDoc, AnyUser, "saved replies", versioned=False)


@router.get("/saved-replies/{key}/variables", tags=["saved replies"],
            responses=error_responses(404, s404="No such saved reply"))
async def saved_reply_variables(key: Key, _: AnyUser, store: StoreDep,
                                ) -> dict[str, list[str]]:
    """The variables a saved reply needs, so a client can ask the agent for them."""
    doc = await store.config.get("saved_replies", key)
    if doc is None:
        raise HTTPException(404, f"no saved reply {key}")
    return {"variables": variables_of(doc["text"])}

