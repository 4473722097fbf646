"""Queuing an agent's reply: stored once under its id, then published for the responder.

One path for a reply to one conversation and for a bulk reply to a cluster (one reply per
customer): the reply is stored before it is published, a retry with the same id never
sends twice, and Kafka refusing it leaves it marked "not queued" so the retry publishes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from socialcare_contracts import topics
from socialcare_contracts.events import ReplyKind, ReplyRequested
from socialcare_contracts.messages import Platform
from socialcare_contracts.tolerant import as_member
from socialcare_router.adapters.store import Store
from socialcare_router.domain.conversation import Conversation
from socialcare_router.domain.permissions import Actor
from socialcare_router.inbox import Inbox
from socialcare_router.settings import RouterSettings
from socialcare_router.views import ReplyRequest
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing
from socialcare_runtime.telemetry import context_from_headers

BULK_PRIORITY = 0  # urgent one-offs go before a cluster's replies when the budget is short


@dataclass(frozen=True)
class ReplyQueue:
    store: Store
    settings: RouterSettings
    publisher: EventPublisher
    inbox: Inbox
    tracer: trace.Tracer


def reply_record(reply_id: str, conversation_id: str, kind: ReplyKind, text: str,
                 agent_id: str, brand_account: str, now: datetime, **extra: Any
                 ) -> dict[str, Any]:
    """A reply as stored before it is published (its outcome is filled in later)."""
    return {"_id": reply_id, "conversation_id": conversation_id, "status": "requested",
            "kind": kind.value, "text": text, "agent_id": agent_id,
            "brand_account": brand_account, "requested_at": now, "saved_reply": None,
            "media_ids": [], **extra}


async def queue_reply(queue: ReplyQueue, actor: Actor, agent_id: str, doc: Conversation,
                      body: ReplyRequest, text: str, reply_id: str, bulk: bool = False
                      ) -> tuple[int, dict[str, Any]]:
    """(HTTP status, answer): 202 queued or already known, 503 when Kafka refused it.

    Raises 409 when ``reply_id`` was used for a different reply.
    """
    store = queue.store
    in_reply_to = doc.last_inbound_id if body.kind is ReplyKind.PUBLIC else None
    now = datetime.now(UTC)
    created = await store.create_reply(reply_record(
        reply_id, doc.id, body.kind, text, agent_id, doc.brand_account, now,
        saved_reply=body.saved_reply, media_ids=list(body.media_ids), bulk=bulk))
    if not created:
        existing = await store.get_reply(reply_id)
        # The whole request must match: the same words as a DM are another reply.
        if existing is None or (existing["text"], existing["kind"],
                                existing.get("media_ids", [])) != \
                (text, body.kind.value, list(body.media_ids)):
            raise HTTPException(409, "Idempotency-Key was used for a different reply")
        if not queue_again(existing):
            return 202, {"reply_id": reply_id, "status": existing["status"]}
        now = existing["requested_at"]
    else:
        await queue.inbox.record_reply(actor, doc, reply_id, body.kind.value)
    event = ReplyRequested(
        reply_id=reply_id, conversation_id=doc.id, platform=as_member(Platform, doc.platform),
        brand_account=doc.brand_account, kind=body.kind, in_reply_to_id=in_reply_to,
        recipient_id=doc.customer_id, text=text, agent_id=agent_id, requested_at=now,
        # Personal data in any of the customer's messages: brands that force DMs get one.
        private_data=doc.private_data, media_ids=tuple(body.media_ids),
        priority=BULK_PRIORITY if bulk else doc.priority, bulk=bulk)
    try:
        # Continue the customer message's trace, so the reply's platform call joins it.
        parent = context_from_headers(
            [(k, v.encode()) for k, v in doc.last_inbound_trace.items()])
        with queue.tracer.start_as_current_span("inbox reply", context=parent,
                                                kind=SpanKind.SERVER):
            await queue.publisher.publish([Outgoing(
                queue.settings.topic(topics.REPLIES_REQUESTED), doc.id, event, reply_id)])
    except Backpressure:
        await store.set_reply_outcome(reply_id, {
            "status": "failed", "failure_code": "not_queued",
            "reason": "the reply could not be queued; send it again"})
        return 503, {"detail": "could not queue the reply, retry"}
    await store.mark_queued(reply_id, datetime.now(UTC))
    return 202, {"reply_id": reply_id, "status": "requested"}


def queue_again(existing: dict[str, Any]) -> bool:
    """Whether a retry must publish again: the reply was refused ("not queued"), or stored
    by a process that died before Kafka acknowledged it (never marked queued)."""
    if existing["status"] == "failed":
        return existing.get("failure_code") == "not_queued"
    return existing["status"] == "requested" and existing.get("queued_at") is None

