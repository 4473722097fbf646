"""The inbox API: agents read queues and conversations and send replies."""

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from socialcare_contracts import topics
from socialcare_contracts.events import ReplyKind, ReplyRequested
from socialcare_router.adapters.store import Store
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_router.views import (
    ConversationDetail,
    ConversationSummary,
    QueuePage,
    ReplyAccepted,
    ReplyRequest,
    ReplyView,
    ThreadMessage,
    decode_cursor,
    doc_id_view,
    encode_cursor,
)
from socialcare_runtime.http import BodySizeLimit, find_by_secret
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing
from socialcare_runtime.telemetry import context_from_headers

log = logging.getLogger(__name__)
AGENT_ROLES = frozenset({"agent", "supervisor", "admin"})


def create_app(settings: RouterSettings, store: Store,
               connect: Callable[[], EventPublisher], tracer: trace.Tracer) -> FastAPI:
    """Builds the inbox API around a store; ``connect`` makes the Kafka publisher at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await store.create_indexes()
        app.state.publisher = connect()
        yield
        app.state.publisher.close()

    app = FastAPI(title="SocialCare inbox", version="1", lifespan=lifespan,
                  description="Queues, conversations and replies for agents and supervisors.")
    app.add_middleware(BodySizeLimit, max_bytes=settings.inbox_max_body_bytes)

    def user(x_api_key: Annotated[str | None, Header()] = None) -> InboxUser:
        found = find_by_secret(x_api_key, settings.inbox_users)
        if found is None:
            raise HTTPException(401, "missing or unknown X-API-Key",
                                headers={"WWW-Authenticate": "ApiKey"})
        if found.role not in AGENT_ROLES:
            raise HTTPException(403, f"role {found.role} may not use the inbox")
        return found

    CurrentUser = Annotated[InboxUser, Depends(user)]

    async def conversation_or_404(conversation_id: str) -> dict:
        doc = await store.get_conversation(conversation_id)
        if doc is None:
            raise HTTPException(404, f"no conversation {conversation_id}")
        return doc

    @app.get("/v1/queues/{queue}/conversations", response_model=QueuePage)
    async def list_queue(
        queue: str, _: CurrentUser,
        status: Annotated[str, Query(pattern="^(open|waiting_on_customer|resolved)$")] = "open",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        after: Annotated[str | None, Query(max_length=512)] = None,
    ) -> QueuePage:
        """A queue's conversations, due soonest first, by pages."""
        try:
            position = decode_cursor(after) if after else None
        except (ValueError, TypeError) as exc:
            raise HTTPException(400, "invalid cursor") from exc
        docs = await store.queue_page(queue, status, limit, position)
        items = [ConversationSummary.of(d) for d in docs]
        next_cursor = encode_cursor(items[-1].first_response_due_at, items[-1].id) \
            if len(items) == limit else None
        return QueuePage(items=items, next_cursor=next_cursor)

    @app.get("/v1/conversations/{conversation_id}", response_model=ConversationDetail)
    async def get_conversation(conversation_id: str, _: CurrentUser) -> ConversationDetail:
        """A conversation with its whole thread and the replies sent or pending."""
        doc = await conversation_or_404(conversation_id)
        return ConversationDetail(
            conversation=ConversationSummary.of(doc),
            messages=[ThreadMessage(**doc_id_view(m)) for m in await store.thread(conversation_id)],
            replies=[ReplyView(**doc_id_view(r)) for r in await store.replies_of(conversation_id)],
        )

    @app.post("/v1/conversations/{conversation_id}/replies", status_code=202,
              response_model=ReplyAccepted,
              responses={404: {"description": "No such conversation"},
                         409: {"description": "Idempotency-Key reused for another reply"},
                         503: {"description": "Could not queue the reply; retry"}})
    async def post_reply(
        conversation_id: str, body: ReplyRequest, agent: CurrentUser, request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
    ) -> JSONResponse:
        """Queues a reply for sending; the same Idempotency-Key never sends twice."""
        doc = await conversation_or_404(conversation_id)
        reply_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{conversation_id}:{idempotency_key}")) \
            if idempotency_key else str(uuid.uuid4())
        in_reply_to = doc.get("last_inbound_id") if body.kind is ReplyKind.PUBLIC else None
        now = datetime.now(UTC)
        created = await store.create_reply({
            "_id": reply_id, "conversation_id": conversation_id, "status": "requested",
            "kind": body.kind.value, "text": body.text, "agent_id": agent.id,
            "brand_account": doc["brand_account"], "requested_at": now,
        })
        if not created:
            existing = await store.get_reply(reply_id)
            if existing is None or existing["text"] != body.text:
                raise HTTPException(409, "Idempotency-Key was used for a different reply")
            if existing["status"] != "failed" or existing.get("failure_code") != "not_queued":
                return JSONResponse({"reply_id": reply_id, "status": existing["status"]}, 202)
            now = existing["requested_at"]
        event = ReplyRequested(
            reply_id=reply_id, conversation_id=conversation_id, platform=doc["platform"],
            brand_account=doc["brand_account"], kind=body.kind, in_reply_to_id=in_reply_to,
            recipient_id=doc["customer_id"], text=body.text, agent_id=agent.id,
            requested_at=now)
        try:
            # Continue the customer message's trace, so the reply's platform call joins it.
            parent = context_from_headers(
                [(k, v.encode()) for k, v in (doc.get("last_inbound_trace") or {}).items()])
            with tracer.start_as_current_span("inbox reply", context=parent,
                                              kind=SpanKind.SERVER):
                await request.app.state.publisher.publish([Outgoing(
                    settings.topic(topics.REPLIES_REQUESTED), conversation_id, event, reply_id)])
        except Backpressure:
            await store.set_reply_outcome(reply_id, {
                "status": "failed", "failure_code": "not_queued",
                "reason": "the reply could not be queued; send it again"})
            return JSONResponse({"detail": "could not queue the reply, retry"}, 503,
                                headers={"Retry-After": "5"})
        await store.set_reply_outcome(reply_id, {"status": "requested", "reason": None})
        return JSONResponse({"reply_id": reply_id, "status": "requested"}, 202)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        try:
            await store.ping()
        except Exception as exc:  # any failure to reach MongoDB means not ready
            log.warning("readiness: MongoDB unreachable: %s", type(exc).__name__)
            return JSONResponse({"status": "mongodb unreachable"}, 503)
        if not request.app.state.publisher.ready():
            return JSONResponse({"status": "kafka unreachable"}, 503)
        return JSONResponse({"status": "ready"})

    return app
