"""Inbox routes that change a conversation: claim, release, transfer, tag, note, snooze, close.

Agents act on conversations that are unassigned or theirs; supervisors and admins on any.
Every change is one conditional single-document update, so two agents racing get one
winner and one 409, and a refused request changes nothing.
"""

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from socialcare_contracts import topics
from socialcare_router.adapters.store import Store
from socialcare_router.deps import AUTH_ERRORS, AnyUser, PublisherDep, SettingsDep, StoreDep
from socialcare_router.routing import conversation_event
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_router.views import ConversationSummary, NoteView
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/conversations/{conversation_id}", tags=["conversation actions"],
                   responses={**AUTH_ERRORS, 404: {"description": "No such conversation"},
                              409: {"description": "The conversation changed; reload it"}})
ConversationId = Annotated[str, Path(max_length=64)]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w .:-]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransferRequest(Strict):
    queue: str | None = Field(default=None, min_length=1, max_length=64)
    agent_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _somewhere(self) -> "TransferRequest":
        if self.queue is None and self.agent_id is None:
            raise ValueError("give a queue, an agent_id or both")
        return self


class TagRequest(Strict):
    add: list[Tag] = Field(default=[], max_length=20)
    remove: list[Tag] = Field(default=[], max_length=20)


class NoteRequest(Strict):
    text: str = Field(min_length=1, max_length=5_000)


class SnoozeRequest(Strict):
    until: AwareDatetime


def now() -> datetime:
    return datetime.now(UTC)


async def _load(store: Store, conversation_id: str) -> dict[str, Any]:
    doc = await store.get_conversation(conversation_id)
    if doc is None:
        raise HTTPException(404, f"no conversation {conversation_id}")
    return doc


def _may_act(user: InboxUser, doc: dict[str, Any]) -> None:
    if user.role == "agent" and doc.get("assignee") not in (None, user.id):
        raise HTTPException(403, "assigned to another agent; ask a supervisor")


async def announce(publisher: EventPublisher, settings: RouterSettings, doc: dict[str, Any],
                   change: str) -> ConversationSummary:
    """Tells live views and integrators; the stored change stands even if Kafka is down."""
    try:
        await publisher.publish([Outgoing(settings.topic(topics.CONVERSATIONS_UPDATED),
                                          doc["_id"], conversation_event(doc, change))])
    except Backpressure:
        log.warning("conversation %s %s not announced: Kafka unavailable", doc["_id"], change)
    return ConversationSummary.of(doc)


def _changed_or_409(doc: dict[str, Any] | None, why: str) -> dict[str, Any]:
    if doc is None:
        raise HTTPException(409, why)
    return doc


@router.post("/claim", response_model=ConversationSummary)
async def claim(conversation_id: ConversationId, user: AnyUser, store: StoreDep,
                settings: SettingsDep, publisher: PublisherDep) -> ConversationSummary:
    """Takes an unassigned conversation; exactly one of several racing agents wins."""
    doc = await store.work.claim(conversation_id, user.id, now())
    if doc is None:
        current = await _load(store, conversation_id)
        raise HTTPException(409, "already resolved" if current["status"] == "resolved"
                            else "already claimed by another agent")
    await store.config.change_load(user.id, 1)
    return await announce(publisher, settings, doc, "claimed")


@router.post("/release", response_model=ConversationSummary)
async def release(conversation_id: ConversationId, user: AnyUser, store: StoreDep,
                  settings: SettingsDep, publisher: PublisherDep) -> ConversationSummary:
    """Puts the conversation back in its queue."""
    current = await _load(store, conversation_id)
    _may_act(user, current)
    if current.get("assignee") is None:
        raise HTTPException(409, "not assigned")
    doc = _changed_or_409(await store.work.release(conversation_id, current["assignee"], now()),
                          "the assignment changed meanwhile")
    await store.config.change_load(current["assignee"], -1)
    return await announce(publisher, settings, doc, "released")


@router.post("/transfer", response_model=ConversationSummary)
async def transfer(conversation_id: ConversationId, body: TransferRequest, user: AnyUser,
                   store: StoreDep, settings: SettingsDep,
                   publisher: PublisherDep) -> ConversationSummary:
    """Moves the conversation to another queue and/or agent."""
    current = await _load(store, conversation_id)
    _may_act(user, current)
    built_in = (settings.default_queue, settings.escalation_queue)
    if body.queue is not None and body.queue not in built_in \
            and await store.config.get("queues", body.queue) is None:
        raise HTTPException(422, f"no queue {body.queue}")
    if body.agent_id is not None and await store.config.get("agents", body.agent_id) is None:
        raise HTTPException(422, f"no agent {body.agent_id}")
    doc = _changed_or_409(await store.work.transfer(
        conversation_id, current.get("assignee"), body.queue, body.agent_id, now()),
        "the conversation changed meanwhile or is resolved")
    if current.get("assignee"):
        await store.config.change_load(current["assignee"], -1)
    if body.agent_id:
        await store.config.change_load(body.agent_id, 1)
    return await announce(publisher, settings, doc, "transferred")


@router.post("/tags", response_model=ConversationSummary)
async def tag(conversation_id: ConversationId, body: TagRequest, user: AnyUser,
              store: StoreDep, settings: SettingsDep,
              publisher: PublisherDep) -> ConversationSummary:
    """Adds and removes tags."""
    _may_act(user, await _load(store, conversation_id))
    doc = await store.work.tag(conversation_id, body.add, body.remove, now())
    return await announce(publisher, settings, await _load_after(store, doc, conversation_id),
                          "tagged")


@router.post("/notes", response_model=NoteView, status_code=201)
async def add_note(conversation_id: ConversationId, body: NoteRequest, user: AnyUser,
                   store: StoreDep) -> NoteView:
    """Adds an internal note, visible to the team only."""
    await _load(store, conversation_id)
    note = await store.work.add_note(conversation_id, user.id, body.text, now())
    return NoteView(id=note["_id"], **{k: v for k, v in note.items() if k != "_id"})


@router.post("/snooze", response_model=ConversationSummary)
async def snooze(conversation_id: ConversationId, body: SnoozeRequest, user: AnyUser,
                 store: StoreDep, settings: SettingsDep,
                 publisher: PublisherDep) -> ConversationSummary:
    """Waits on the customer until a time; a customer message wakes it earlier."""
    current = await _load(store, conversation_id)
    _may_act(user, current)
    at = now()
    if body.until <= at:
        raise HTTPException(422, "until must be in the future")
    doc = _changed_or_409(await store.work.snooze(
        conversation_id, body.until, at, current.get("pause_while_waiting", True)),
        "only open conversations can be snoozed")
    return await announce(publisher, settings, doc, "snoozed")


@router.post("/resolve", response_model=ConversationSummary)
async def resolve(conversation_id: ConversationId, user: AnyUser, store: StoreDep,
                  settings: SettingsDep, publisher: PublisherDep) -> ConversationSummary:
    """Marks the conversation resolved; a new customer message reopens it."""
    current = await _load(store, conversation_id)
    _may_act(user, current)
    doc = _changed_or_409(await store.work.resolve(conversation_id, now()), "already resolved")
    if current.get("assignee"):
        await store.config.change_load(current["assignee"], -1)
    return await announce(publisher, settings, doc, "resolved")


@router.post("/reopen", response_model=ConversationSummary)
async def reopen(conversation_id: ConversationId, user: AnyUser, store: StoreDep,
                 settings: SettingsDep, publisher: PublisherDep) -> ConversationSummary:
    """Opens a resolved conversation again."""
    _may_act(user, await _load(store, conversation_id))
    doc = _changed_or_409(await store.work.reopen(conversation_id, now()), "not resolved")
    if doc.get("assignee"):
        await store.config.change_load(doc["assignee"], 1)
    return await announce(publisher, settings, doc, "reopened")


async def _load_after(store: Store, doc: dict[str, Any] | None,
                      conversation_id: str) -> dict[str, Any]:
    return doc if doc is not None else await _load(store, conversation_id)
