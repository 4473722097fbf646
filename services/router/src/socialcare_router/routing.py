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
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.store import Store
from socialcare_router.domain.assignment import AssignmentPolicy, choose_agent
from socialcare_router.domain.rules import MessageFacts
from socialcare_router.domain.sla import SlaPolicy, at_risk_at, resume_after_pause
from socialcare_router.domain.threading import message_key, thread_message
from socialcare_router.policies import agent_state
from socialcare_router.routing_config import RoutingConfig
from socialcare_runtime.metrics import service_metrics
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


def facts_of(event: MessageClassified) -> MessageFacts:
    """What the routing rules look at."""
    m, c = event.message, event.classification
    return MessageFacts(
        platform=m.platform.value, channel=m.channel.value, brand_account=m.brand_account,
        language=c.language, sentiment=c.sentiment.label.value, priority=c.priority,
        intents=c.intents, listening_matches=c.listening_matches,
        followers=m.author.followers or 0, verified=m.author.verified)


class Router:
    def __init__(self, store: Store, sla: SlaPolicy, default_queue: str,
                 thread_window: timedelta, clock: Clock = lambda: datetime.now(UTC),
                 config: RoutingConfig | None = None, escalation_share: float = 0.75) -> None:
        self.store = store
        self.sla = sla
        self.default_queue = default_queue
        self.thread_window = thread_window
        self.clock = clock
        self.config = config or RoutingConfig(store.config)
        self.escalation_share = escalation_share

    async def route_message(self, event: MessageClassified, event_id: str
                            ) -> ConversationUpdated | None:
        """Threads a classified message into its conversation and stores both."""
        message, classification = event.message, event.classification
        if message.from_brand:
            return await self._record_brand_message(message, event_id)
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
        snapshot = await self.config.current()
        route = snapshot.rules.route(facts_of(event), self.default_queue)
        sla = snapshot.sla_for(message.brand_account, self.sla)
        due = sla.first_response_due(received_at, route.priority)
        resolution_due = sla.resolution_due(received_at, route.priority)
        doc = await self.store.upsert_for_message(
            conversation_id,
            on_insert={
                "platform": message.platform.value, "brand_account": message.brand_account,
                "customer_id": message.author.id, "customer": message.author.model_dump(),
                "channel": message.channel.value, "queue": route.queue,
                "rule_id": route.rule_id, "tags": list(route.tags), "assignee": None,
                "language": classification.language,
                "sentiment": classification.sentiment.label.value,
                "intents": list(classification.intents),
                "private_data": classification.private_data,
                "created_at": now, "first_message_at": message.created_at,
                "first_response_due_at": due,
                "resolution_due_at": resolution_due,
                "pause_while_waiting": sla.pause_while_waiting,
                "escalation": "none",
                "escalate_at": at_risk_at(received_at, due, self.escalation_share),
                "resolution_escalation": "none",
                "resolution_escalate_at": at_risk_at(received_at, resolution_due,
                                                     self.escalation_share),
            },
            message_key=key, platform_message_id=message.platform_message_id,
            message_at=message.created_at, priority=route.priority, now=now,
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
        if doc.get("paused_at") is not None:  # the customer answered: the clock runs again
            doc = await self._resume(doc, now) or doc
        if change == "created":
            doc = await self._auto_assign(doc, snapshot.queues.get(doc["queue"]), now) or doc
        return conversation_event(doc, change)

    async def _record_brand_message(self, message: NormalizedMessage, event_id: str
                                    ) -> ConversationUpdated | None:
        """An imported agent reply: threaded as outbound, counted as a first response only."""
        if not message.in_reply_to_id:
            return None  # a brand post that answers nobody belongs to no conversation
        parent = message_key(message.platform, message.brand_account, message.in_reply_to_id)
        conversation_id = await self.store.conversation_of_message(parent)
        if conversation_id is None:
            return None
        await self.store.add_message({
            "_id": message_key(message.platform, message.brand_account,
                               message.platform_message_id),
            "conversation_id": conversation_id, "direction": "outbound",
            "platform_message_id": message.platform_message_id,
            "channel": message.channel.value, "author": message.author.model_dump(),
            "text": message.text, "in_reply_to_id": message.in_reply_to_id,
            "created_at": message.created_at, "event_id": event_id, "imported": True,
        })
        doc = await self.store.record_first_response(conversation_id, message.created_at,
                                                     self.clock())
        return conversation_event(doc, "reply_imported") if doc else None

    async def _resume(self, doc: dict[str, Any], now: datetime) -> dict[str, Any] | None:
        paused_at = doc["paused_at"]
        due = resume_after_pause(doc["first_response_due_at"], paused_at, now)
        escalate = None
        if doc.get("first_response_at") is None and doc.get("escalation") != "breached":
            escalate = resume_after_pause(doc["escalate_at"], paused_at, now) \
                if doc.get("escalate_at") else None
        return await self.store.work.resume(doc["_id"], paused_at, due, escalate, now)

    async def _auto_assign(self, doc: dict[str, Any], queue: Any, now: datetime
                           ) -> dict[str, Any] | None:
        if queue is None or queue.policy is AssignmentPolicy.MANUAL:
            return None
        agents = [agent_state(a) for a in await self.store.config.agents_by_ids(queue.agents)]
        chosen = choose_agent(queue.policy, agents, doc.get("language") or "und",
                              doc.get("intents", []), doc["platform"],
                              await self.store.config.last_assigned(doc["queue"]))
        if chosen is None:
            return None
        capacity = next(a.capacity for a in agents if a.id == chosen)
        if not await self.store.config.reserve_capacity(chosen, capacity):
            return None  # filled up since it was read; the conversation waits in its queue
        claimed = await self.store.work.claim(doc["_id"], chosen, now)
        if claimed is None:
            await self.store.config.change_load(chosen, -1)
            return None
        await self.store.config.remember_assignment(doc["queue"], chosen)
        return claimed

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
        if doc and doc.get("first_response_at") == event.sent_at and doc.get("first_message_at"):
            waited = (event.sent_at - doc["first_message_at"]).total_seconds()
            service_metrics().first_response_s(waited, doc["queue"], doc["platform"])
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
