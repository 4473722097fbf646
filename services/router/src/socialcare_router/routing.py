"""Router service layer: applies events to the store and says what changed.

Handlers are repeatable (at-least-once delivery) and return the ``ConversationUpdated``
to publish, so the worker stays a thin adapter between Kafka and these functions.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from socialcare_contracts.events import (
    ConversationUpdated,
    MessageClassified,
    ReplyFailed,
    ReplySent,
)
from socialcare_router.adapters.store import Store
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.domain.threading import message_key, thread_message
from socialcare_runtime.telemetry import trace_headers

Clock = Callable[[], datetime]


def conversation_event(doc: dict[str, Any], change: str) -> ConversationUpdated:
    """The public view of a stored conversation."""
    return ConversationUpdated(
        conversation_id=doc["_id"], change=change, status=doc["status"],
        platform=doc["platform"], brand_account=doc["brand_account"],
        customer_id=doc["customer_id"], queue=doc["queue"], priority=doc.get("priority", 0),
        message_count=len(doc.get("message_keys", ())),
        first_response_due_at=doc["first_response_due_at"],
        first_response_at=doc.get("first_response_at"), updated_at=doc["updated_at"],
    )


class Router:
    def __init__(self, store: Store, sla: SlaPolicy, default_queue: str,
                 thread_window: timedelta, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.sla = sla
        self.default_queue = default_queue
        self.thread_window = thread_window
        self.clock = clock

    async def route_message(self, event: MessageClassified, event_id: str) -> ConversationUpdated:
        """Threads a classified message into its conversation and stores both."""
        message, classification = event.message, event.classification
        key = message_key(message.platform, message.brand_account, message.platform_message_id)
        parent_key = message_key(message.platform, message.brand_account,
                                 message.in_reply_to_id) if message.in_reply_to_id else None
        # The three lookups are independent: one round trip instead of three.
        known, replied_to, latest = await asyncio.gather(
            self.store.conversation_of_message(key),
            self.store.conversation_of_message(parent_key) if parent_key else _none(),
            self.store.latest_of_customer(message.conversation_key()),
        )
        if known is not None:  # a redelivery: re-apply the same idempotent writes
            conversation_id, change = known, "message_added"
        else:
            decision = thread_message(message, replied_to, latest, self.thread_window)
            conversation_id = decision.conversation_id
            change = "created" if decision.is_new else "message_added"
        now = self.clock()
        received_at = message.received_at or message.created_at
        doc = await self.store.upsert_for_message(
            conversation_id,
            on_insert={
                "platform": message.platform.value, "brand_account": message.brand_account,
                "customer_id": message.author.id, "customer": message.author.model_dump(),
                "channel": message.channel.value, "queue": self.default_queue,
                "language": classification.language,
                "sentiment": classification.sentiment.label.value,
                "intents": list(classification.intents),
                "private_data": classification.private_data,
                "created_at": now, "first_message_at": message.created_at,
                "first_response_due_at": self.sla.first_response_due(received_at),
            },
            message_key=key, platform_message_id=message.platform_message_id,
            message_at=message.created_at, priority=classification.priority, now=now,
            # The agent's reply continues this trace: one trace from ingest to the platform.
            trace=trace_headers(),
        )
        stored = {
            "_id": key, "conversation_id": conversation_id, "direction": "inbound",
            "platform_message_id": message.platform_message_id,
            "channel": message.channel.value, "author": message.author.model_dump(),
            "text": message.text, "in_reply_to_id": message.in_reply_to_id,
            "created_at": message.created_at, "received_at": received_at,
            "classification": classification.model_dump(mode="json"), "event_id": event_id,
            # With received_at (ingest's acceptance time) this gives the pipeline latency.
            "stored_at": now,
        }
        await asyncio.gather(
            self.store.remember_customer(message.conversation_key(), conversation_id,
                                         message.created_at),
            self.store.add_message(stored))
        return conversation_event(doc, change)

    async def on_reply_sent(self, event: ReplySent) -> ConversationUpdated | None:
        """Marks the reply sent, threads it, and records the first response time."""
        reply = await self.store.get_reply(event.reply_id)
        await self.store.set_reply_outcome(event.reply_id, {
            "status": "sent", "platform_message_id": event.platform_message_id,
            "permalink": event.permalink, "sent_at": event.sent_at, "reason": None})
        if reply is not None:
            await self.store.add_message({
                "_id": message_key(event.platform, reply["brand_account"],
                                   event.platform_message_id),
                "conversation_id": event.conversation_id, "direction": "outbound",
                "platform_message_id": event.platform_message_id, "channel": reply["kind"],
                "author": {"id": reply["agent_id"]}, "text": reply["text"],
                "created_at": event.sent_at, "reply_id": event.reply_id,
            })
        doc = await self.store.record_first_response(event.conversation_id, event.sent_at,
                                                     self.clock())
        return conversation_event(doc, "reply_sent") if doc else None

    async def on_reply_failed(self, event: ReplyFailed) -> ConversationUpdated | None:
        """Marks the reply failed with the reason an agent can act on."""
        await self.store.set_reply_outcome(event.reply_id, {
            "status": "failed", "failure_code": event.code, "reason": event.reason,
            "failed_at": event.failed_at})
        doc = await self.store.touch(event.conversation_id, self.clock())
        return conversation_event(doc, "reply_failed") if doc else None


async def _none() -> None:
    return None
