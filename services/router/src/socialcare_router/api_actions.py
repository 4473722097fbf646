"""Inbox routes that change a conversation: claim, release, transfer, tag, note, snooze, close.

Thin: each route calls the inbox service layer, which decides who may act, applies the
change through the Conversation aggregate and stores it with its events in one write.
The domain's errors become HTTP statuses in one place (``api.py``).
"""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from socialcare_contracts.limits import CleanText, Id, Timestamp
from socialcare_router.deps import AUTH_ERRORS, BODY_ERRORS, ActorDep, InboxDep, StoreDep
from socialcare_router.views import ConversationSummary, NoteView
from socialcare_runtime.http_errors import error_responses

router = APIRouter(prefix="/v1/conversations/{conversation_id}", tags=["conversation actions"],
                   responses={**AUTH_ERRORS, **error_responses(
                       403, 404, 409, s403="Not a brand of the caller's, or not theirs to change",
                       s404="No such conversation",
                       s409="The conversation's state refuses it, or the agent is at capacity")})
ConversationId = Annotated[str, Path(max_length=64)]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w .:-]+$")]
MAX_SNOOZE = timedelta(days=90)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TransferRequest(Strict):
    # The schema says what the validator does: a queue, an agent id or both (null is none).
    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"type": "string"}}}
        for name in ("queue", "agent_id")]})
    queue: Annotated[CleanText, Field(min_length=1, max_length=64)] | None = None
    agent_id: Annotated[Id, Field(max_length=64)] | None = Field(
        default=None, description="A named agent: supervisors and admins only")

    @model_validator(mode="after")
    def _somewhere(self) -> "TransferRequest":
        if self.queue is None and self.agent_id is None:
            raise ValueError("give a queue, an agent_id or both")
        return self


class TagRequest(Strict):
    add: list[Tag] = Field(default=[], max_length=20)
    remove: list[Tag] = Field(default=[], max_length=20)


class NoteRequest(Strict):
    text: Annotated[CleanText, Field(min_length=1, max_length=5_000)]


class SnoozeRequest(Strict):
    until: Timestamp = Field(description="In the future, at most 90 days ahead")


@router.post("/claim", response_model=ConversationSummary)
async def claim(conversation_id: ConversationId, actor: ActorDep,
                inbox: InboxDep) -> ConversationSummary:
    """Takes an unassigned conversation; exactly one of several racing agents wins."""
    return ConversationSummary.of(await inbox.claim(actor, conversation_id))


@router.post("/release", response_model=ConversationSummary)
async def release(conversation_id: ConversationId, actor: ActorDep,
                  inbox: InboxDep) -> ConversationSummary:
    """Puts the conversation back in its queue."""
    return ConversationSummary.of(await inbox.release(actor, conversation_id))


@router.post("/transfer", response_model=ConversationSummary,
             responses={**BODY_ERRORS, **error_responses(
                 422, s422="Invalid input, or no such queue or "
                 "agent")})
async def transfer(conversation_id: ConversationId, body: TransferRequest, actor: ActorDep,
                   inbox: InboxDep) -> ConversationSummary:
    """Moves the conversation to another queue and/or (supervisors) a named agent."""
    return ConversationSummary.of(
        await inbox.transfer(actor, conversation_id, body.queue, body.agent_id))


@router.post("/tags", response_model=ConversationSummary, responses=BODY_ERRORS)
async def tag(conversation_id: ConversationId, body: TagRequest, actor: ActorDep,
              inbox: InboxDep) -> ConversationSummary:
    """Adds and removes tags."""
    return ConversationSummary.of(
        await inbox.tag(actor, conversation_id, body.add, body.remove))


@router.post("/notes", response_model=NoteView, status_code=201, responses=BODY_ERRORS)
async def add_note(conversation_id: ConversationId, body: NoteRequest, actor: ActorDep,
                   inbox: InboxDep, store: StoreDep) -> NoteView:
    """Adds an internal note, visible to the team only."""
    note = await inbox.note(actor, conversation_id, body.text, store.work.add_note)
    return NoteView(id=note["_id"], **{k: v for k, v in note.items() if k != "_id"})


@router.post("/snooze", response_model=ConversationSummary,
             responses={**BODY_ERRORS, **error_responses(
                 422, s422="Invalid input, or until is past or "
                 "more than 90 days ahead")})
async def snooze(conversation_id: ConversationId, body: SnoozeRequest, actor: ActorDep,
                 inbox: InboxDep) -> ConversationSummary:
    """Waits on the customer until a time; a customer message wakes it earlier."""
    at = datetime.now(UTC)
    until = body.until.astimezone(UTC)
    if not at < until <= at + MAX_SNOOZE:
        raise HTTPException(422, "until must be in the future and at most 90 days ahead")
    return ConversationSummary.of(await inbox.snooze(actor, conversation_id, until))


@router.post("/resolve", response_model=ConversationSummary)
async def resolve(conversation_id: ConversationId, actor: ActorDep,
                  inbox: InboxDep) -> ConversationSummary:
    """Marks the conversation resolved; a new customer message reopens it."""
    return ConversationSummary.of(await inbox.resolve(actor, conversation_id))


@router.post("/reopen", response_model=ConversationSummary)
async def reopen(conversation_id: ConversationId, actor: ActorDep,
                 inbox: InboxDep) -> ConversationSummary:
    """Opens a resolved conversation again."""
    return ConversationSummary.of(await inbox.reopen(actor, conversation_id))
