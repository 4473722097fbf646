"""Inbox routes to read work and reply: queue and personal views, a thread, a reply."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from socialcare_router.adapters.store import Store
from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ActorDep,
    AnyUser,
    InboxDep,
    PublisherDep,
    SettingsDep,
    StoreDep,
    actor_of,
)
from socialcare_router.domain.conversation import Conversation
from socialcare_router.domain.permissions import Action, Actor
from socialcare_router.domain.threading import message_key
from socialcare_router.replies import ReplyQueue, queue_reply
from socialcare_router.settings import InboxUser
from socialcare_router.views import (
    ConversationDetail,
    ConversationSummary,
    NoteView,
    QueuePage,
    ReplyAccepted,
    ReplyRequest,
    ReplyView,
    ThreadMessage,
    decode_cursor,
    doc_id_view,
    encode_cursor,
)
from socialcare_runtime.http_errors import error_responses
from socialcare_text.templates import MissingVariables, initials, render

router = APIRouter(prefix="/v1", tags=["conversations"], responses=AUTH_ERRORS)
PAGE_ERRORS = error_responses(400, s400="after is not a cursor this API gave")
CONVERSATION_ERRORS = error_responses(403, 404, s403="Not a brand of the caller's",
                             s404="No such conversation")
Status = Annotated[str, Query(pattern="^(open|waiting_on_customer|resolved)$")]
Short = Annotated[str | None, Query(max_length=64)]


class ViewFilters:
    """The filters every conversation list takes; FastAPI fills it from the query string."""

    def __init__(self, status: Status = "open", platform: Short = None, intent: Short = None,
                 sentiment: Short = None, tag: Short = None, language: Short = None,
                 min_priority: Annotated[int | None, Query(ge=0, le=100)] = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 after: Annotated[str | None, Query(max_length=512)] = None,
                 sort: Annotated[str, Query(pattern="^(due|priority)$")] = "due") -> None:
        self.status, self.min_priority, self.limit = status, min_priority, limit
        self.by_priority = sort == "priority"
        self.fields = {k: v for k, v in (("platform", platform), ("intents", intent),
                                         ("sentiment", sentiment), ("tags", tag),
                                         ("language", language)) if v}
        try:
            self.after = decode_cursor(after) if after else None
        except (ValueError, TypeError) as exc:
            raise HTTPException(400, "invalid cursor") from exc
        if self.after is not None and (self.after[2] is not None) != self.by_priority:
            raise HTTPException(400, "the cursor is from a list in another order")

    async def page(self, store: Store, queue: str | None, assignee: str | None,
                   actor: Actor) -> QueuePage:
        """One page of what ``actor`` may see, due soonest (or highest priority) first, with
        the next cursor."""
        docs = await store.queue_page(queue, self.status, self.limit, self.after,
                                      assignee=assignee, filters=self.fields,
                                      min_priority=self.min_priority,
                                      brands=actor.brand_filter(),
                                      by_priority=self.by_priority)
        items = [ConversationSummary.of(d) for d in docs]
        await with_first_words(store, docs, items)
        last = items[-1] if items else None
        next_cursor = encode_cursor(last.due_at or last.first_response_due_at, last.id,
                                    last.priority if self.by_priority else None) \
            if last is not None and len(items) == self.limit else None
        return QueuePage(items=items, next_cursor=next_cursor)


FIRST_WORDS = 120


async def with_first_words(store: Store, docs: list[dict[str, Any]],
                           items: list[ConversationSummary]) -> None:
    """Fills in the start of each conversation's latest customer message."""
    keys = {d["_id"]: message_key(d["platform"], d["brand_account"], d["last_inbound_id"])
            for d in docs if d.get("last_inbound_id")}
    texts = await store.texts_of(list(keys.values())) if keys else {}
    for item in items:
        text = texts.get(keys.get(item.id, ""), "")
        item.first_words = text if len(text) <= FIRST_WORDS else text[:FIRST_WORDS] + "…"


@router.get("/queues/{queue}/conversations", response_model=QueuePage, responses=PAGE_ERRORS)
async def list_queue(queue: Annotated[str, Path(max_length=64)], actor: ActorDep,
                     store: StoreDep, view: Annotated[ViewFilters, Depends()]) -> QueuePage:
    """A queue's conversations (of the caller's brands), due soonest first (``sort=priority``:
    highest priority first, then due soonest), by pages."""
    return await view.page(store, queue, None, actor)


@router.get("/me/conversations", response_model=QueuePage, responses=PAGE_ERRORS)
async def list_mine(actor: ActorDep, store: StoreDep,
                    view: Annotated[ViewFilters, Depends()]) -> QueuePage:
    """The caller's assigned conversations, due soonest (or highest priority) first, by pages."""
    return await view.page(store, None, actor.id, actor)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail,
            responses=CONVERSATION_ERRORS)
async def get_conversation(conversation_id: Annotated[str, Path(max_length=64)],
                           actor: ActorDep, inbox: InboxDep,
                           store: StoreDep) -> ConversationDetail:
    """A conversation with its whole thread, the replies sent or pending, and notes."""
    conversation = await inbox.load(actor, conversation_id)
    return ConversationDetail(
        conversation=ConversationSummary.of(conversation),
        messages=[ThreadMessage(**doc_id_view(m)) for m in await store.thread(conversation_id)],
        replies=[ReplyView(**doc_id_view(r)) for r in await store.replies_of(conversation_id)],
        notes=[NoteView(**doc_id_view(n)) for n in await store.work.notes_of(conversation_id)],
        history=conversation.history,
    )


async def saved_reply_template(store: Store, name: str) -> str:
    """A saved reply's text with its {variables} unfilled; an unknown name is 422."""
    saved = await store.config.get("saved_replies", name)
    if saved is None:
        raise HTTPException(422, f"no saved reply {name}")
    return saved["text"]


def template_values(conversation: Conversation, agent: InboxUser,
                    variables: dict[str, str]) -> dict[str, str]:
    """What a saved reply's variables are filled with; the agent's values win."""
    customer = conversation.customer
    return {"customer_name": customer.get("display_name") or customer.get("handle") or "",
            "agent_name": agent.name, "agent_initials": "^" + initials(agent.name), **variables}


async def reply_text(store: Store, body: ReplyRequest, doc: Conversation,
                     agent: InboxUser) -> str:
    """The text to send, written or a saved reply, with its {variables} filled in (an agent
    may type {customer_name} too); one nothing fills is refused, never posted as typed."""
    template = body.text if body.text is not None \
        else await saved_reply_template(store, body.saved_reply or "")
    try:
        return render(template, template_values(doc, agent, body.variables))
    except MissingVariables as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/conversations/{conversation_id}/replies", status_code=202,
             response_model=ReplyAccepted,
             responses={**BODY_ERRORS, **CONVERSATION_ERRORS, **error_responses(
                 409, 422, 503, s409="Idempotency-Key reused for another reply",
                 s422="Invalid input, an unknown saved reply or missing variables",
                 s503="Could not queue the reply; retry after Retry-After")})
async def post_reply(
    conversation_id: Annotated[str, Path(max_length=64)], body: ReplyRequest, agent: AnyUser,
    request: Request, store: StoreDep, settings: SettingsDep, publisher: PublisherDep,
    inbox: InboxDep,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> JSONResponse:
    """Queues a reply for sending; the same Idempotency-Key never sends twice."""
    actor = actor_of(agent)
    doc = await inbox.load(actor, conversation_id, Action.REPLY)
    text = await reply_text(store, body, doc, agent)
    if len(text) > 10_000:
        raise HTTPException(422, "the reply is longer than 10,000 characters")
    reply_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{conversation_id}:{idempotency_key}")) \
        if idempotency_key else str(uuid.uuid4())
    status, answer = await queue_reply(
        ReplyQueue(store, settings, publisher, inbox, request.app.state.tracer),
        actor, agent.id, doc, body, text, reply_id)
    return JSONResponse(answer, status,
                        headers={"Retry-After": "5"} if status == 503 else None)


