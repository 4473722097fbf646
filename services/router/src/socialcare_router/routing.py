"""The router's stream handlers: classified messages and reply outcomes into conversations.

Each handler threads the event to its conversation, applies it through the Conversation
aggregate and saves the change with its events in one write; it returns the events for
the worker to publish. Handlers are repeatable (at-least-once delivery): a message the
conversation already holds changes nothing, and the events its first delivery stored
are published again.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from socialcare_contracts.events import MessageClassified, ReplyFailed, ReplySent
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.conversations import AtCapacity, VersionConflict
from socialcare_router.adapters.store import Store
from socialcare_router.domain.assignment import AssignmentPolicy, choose_agent
from socialcare_router.domain.conversation import Conversation, MessageFacts
from socialcare_router.domain.rules import MessageFacts as RuleFacts
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.domain.surge import apply_incident_routes
from socialcare_router.domain.threading import message_key, thread_message
from socialcare_router.inbox import Events
from socialcare_router.policies import agent_state
from socialcare_router.routing_config import RoutingConfig
from socialcare_runtime.metrics import service_metrics
from socialcare_runtime.telemetry import trace_headers

Clock = Callable[[], datetime]
ATTEMPTS = 8


def rule_facts(event: MessageClassified) -> RuleFacts:
    """What the routing rules look at."""
    m, c = event.message, event.classification
    return RuleFacts(
        platform=m.platform.value, channel=m.channel.value, brand_account=m.brand_account,
        language=c.language, sentiment=c.sentiment.label.value, priority=c.priority,
        intents=c.intents, listening_matches=c.listening_matches,
        followers=m.author.followers or 0, verified=m.author.verified)


def message_doc(message: NormalizedMessage, conversation_id: str | None, direction: str,
                **extra: Any) -> dict[str, Any]:
    """A message as the thread view stores it."""
    return {
        "_id": message_key(message.platform, message.brand_account, message.platform_message_id),
        "conversation_id": conversation_id, "direction": direction,
        "platform_message_id": message.platform_message_id, "channel": message.channel.value,
        "author": message.author.model_dump(), "text": message.text,
        "in_reply_to_id": message.in_reply_to_id, "created_at": message.created_at,
        "attachments": [a.model_dump() for a in message.attachments], **extra}


class Router:
    def __init__(self, store: Store, sla: SlaPolicy, default_queue: str,
                 thread_window: timedelta, clock: Clock = lambda: datetime.now(UTC),
                 config: RoutingConfig | None = None, escalation_share: float = 0.75) -> None:
        self.store = store
        self.repository = store.repository
        self.sla = sla
        self.default_queue = default_queue
        self.thread_window = thread_window
        self.clock = clock
        self.config = config or RoutingConfig(store.config)
        self.escalation_share = escalation_share

    async def route_message(self, event: MessageClassified, event_id: str) -> Events:
        """Threads a message into its conversation and stores both; returns the events."""
        message = event.message
        if message.from_brand:
            return await self._record_brand_message(message, event_id)
        key = message_key(message.platform, message.brand_account, message.platform_message_id)
        parent_key = message_key(message.platform, message.brand_account,
                                 message.in_reply_to_id) if message.in_reply_to_id else None
        # Independent lookups by _id: one round trip instead of three.
        known, replied_to, latest = await asyncio.gather(
            self.store.conversation_of_message(key),
            self.store.conversation_of_message(parent_key, message.author.id)
            if parent_key else _none(),
            self.store.latest_of_customer(message.conversation_key()))
        if known is not None:
            conversation_id = known
        else:
            conversation_id = thread_message(message, replied_to, latest,
                                             self.thread_window).conversation_id
        snapshot = await self.config.current()
        route = apply_incident_routes(
            snapshot.rules.route(rule_facts(event), self.default_queue),
            message.brand_account, event.classification.intents, snapshot.incident_routes)
        sla = snapshot.sla_for(message.brand_account, self.sla)
        c = event.classification
        facts = MessageFacts(
            key=key, platform_message_id=message.platform_message_id,
            created_at=message.created_at, received_at=message.received_at or message.created_at,
            channel=message.channel.value, language=c.language,
            sentiment=c.sentiment.label.value, intents=tuple(c.intents),
            private_data=c.private_data, priority=route.priority)
        trace = trace_headers()  # the agent's reply continues this trace
        assign = True
        for _ in range(ATTEMPTS):
            now = self.clock()
            conversation = await self.repository.get(conversation_id)
            if conversation is None:
                conversation = Conversation.start(
                    conversation_id, platform=message.platform.value,
                    brand_account=message.brand_account, customer_id=message.author.id,
                    customer=message.author.model_dump(), queue=route.queue,
                    rule_id=route.rule_id, tags=list(route.tags), message=facts, sla=sla,
                    share=self.escalation_share, now=now, trace=trace)
                if assign:
                    await self._auto_assign(conversation, snapshot.queues.get(route.queue), now)
            elif not conversation.add_customer_message(facts, sla, self.escalation_share, now,
                                                       trace):
                events = self.repository.outbox_events(conversation)  # a redelivery
                break
            try:
                events = await self.repository.save(conversation, now)
            except VersionConflict:
                continue
            except AtCapacity:
                assign = False  # filled up since it was read: it waits in its queue
                continue
            break
        else:
            raise VersionConflict(conversation_id)
        stored_at = self.clock()
        await asyncio.gather(
            self.store.remember_customer(message.conversation_key(), conversation_id,
                                         message.created_at),
            # With received_at (ingest's acceptance time) this gives the pipeline latency.
            self.store.add_message(message_doc(
                message, conversation_id, "inbound", received_at=facts.received_at,
                classification=c.model_dump(mode="json"), event_id=event_id,
                stored_at=stored_at, customer_id=message.author.id)))
        # Brand replies that arrived before this message are applied now that it is stored
        # (a reply kept from here on finds the message itself: one side always sees the
        # other). Rare on live traffic, so not folded into the write above.
        later = await self._apply_awaiting(key, conversation_id, set())
        # That save returns this one's events again while they are unacknowledged: once each.
        again = {event_id for event_id, _, _ in later}
        return [e for e in events if e[0] not in again] + later

    async def _apply_awaiting(self, key: str, conversation_id: str,
                              applied: set[str]) -> Events:
        """Applies the brand replies kept for message ``key`` that are not applied yet."""
        kept = [r for r in await self.store.replies_awaiting(key) if r["_id"] not in applied]
        conversation = await self.repository.get(conversation_id) if kept else None
        late = [r for r in kept if conversation is not None
                and r["_id"] not in conversation.response_keys]
        events: Events = []
        if late:
            events = await self._update(conversation_id, lambda c, now: any([
                c.record_response(r["_id"], r["created_at"], now) for r in late]))
        if kept:
            customer = conversation.customer_id if conversation is not None else None
            await asyncio.gather(*(self.store.add_message(
                {**r, "conversation_id": conversation_id, "customer_id": customer})
                for r in kept))
            await self.store.forget_awaiting(key, [r["_id"] for r in kept])
        return events

    async def _record_brand_message(self, message: NormalizedMessage, event_id: str) -> Events:
        """A brand's own reply (imported, or seen by a webhook): the conversation's response.

        If the message it answers has not arrived yet, it waits for it, keyed by that
        message, and is applied when it comes: events may arrive in any order.
        """
        if not message.in_reply_to_id:
            # A brand post that answers nobody belongs to no conversation; it is kept as
            # the brand's own message, so what ingest accepted is stored.
            await self.store.add_message(message_doc(message, None, "outbound",
                                                     event_id=event_id, imported=True))
            return []
        parent = message_key(message.platform, message.brand_account, message.in_reply_to_id)
        conversation_id, customer_id = await self.store.thread_of_message(parent) \
            or (None, None)
        doc = message_doc(message, conversation_id or "", "outbound", event_id=event_id,
                          imported=True, customer_id=customer_id)
        if conversation_id is None:
            kept = {k: v for k, v in doc.items() if k != "conversation_id"}
            await self.store.await_parent(parent, kept)
            # The parent may have been stored meanwhile, having looked for kept replies
            # before this one was kept: look again now that it is.
            conversation_id = await self.store.conversation_of_message(parent)
            if conversation_id is None:
                return []  # the parent's handler applies it when the parent arrives
            return await self._apply_awaiting(parent, conversation_id, set())
        events = await self._update(conversation_id, lambda c, now: c.record_response(
            doc["_id"], message.created_at, now))
        await self.store.add_message(doc)
        return events

    async def _update(self, conversation_id: str,
                      apply: Callable[[Conversation, datetime], bool | None]) -> Events:
        """Applies a change from a stream event; a repeat publishes what it stored before."""
        conversation, events = await self.repository.update(conversation_id, apply, self.clock)
        if conversation is None:
            return []
        return events if events is not None else self.repository.outbox_events(conversation)

    async def _auto_assign(self, conversation: Conversation, queue: Any, now: datetime) -> None:
        if queue is None or queue.policy is AssignmentPolicy.MANUAL:
            return
        agents = [agent_state(a) for a in await self.store.config.agents_by_ids(queue.agents)]
        chosen = choose_agent(queue.policy, agents, conversation.language or "und",
                              conversation.intents, conversation.platform,
                              await self.store.config.last_assigned(conversation.queue))
        if chosen is not None:
            conversation.claim(chosen, now)
            await self.store.config.remember_assignment(conversation.queue, chosen)

    async def on_reply_sent(self, event: ReplySent) -> Events:
        """Marks the reply sent, threads it, and records the response."""
        reply = await self.store.get_reply(event.reply_id)
        await self.store.set_reply_outcome(event.reply_id, {
            "status": "sent", "platform_message_id": event.platform_message_id,
            "permalink": event.permalink, "sent_at": event.sent_at, "reason": None})
        key = message_key(event.platform, reply["brand_account"] if reply else "",
                          event.platform_message_id)
        if reply is not None:
            await self.store.add_message({
                "_id": key, "conversation_id": event.conversation_id, "direction": "outbound",
                "platform_message_id": event.platform_message_id, "channel": reply["kind"],
                "author": {"id": reply["agent_id"]}, "text": reply["text"],
                "created_at": event.sent_at, "reply_id": event.reply_id,
            })
        recorded: list[Conversation] = []

        def apply(conversation: Conversation, now: datetime) -> bool:
            first = conversation.first_response_at is None
            changed = conversation.record_response(key, event.sent_at, now)
            if changed and first:
                recorded.append(conversation)
            return changed
        events = await self._update(event.conversation_id, apply)
        for conversation in recorded[-1:]:
            waited = (event.sent_at - conversation.first_message_at).total_seconds()
            service_metrics().first_response_s(waited, conversation.queue,
                                               conversation.platform)
        return events

    async def on_reply_failed(self, event: ReplyFailed) -> Events:
        """Marks the reply failed with the reason an agent can act on."""
        await self.store.set_reply_outcome(event.reply_id, {
            "status": "failed", "failure_code": event.code, "reason": event.reason,
            "failed_at": event.failed_at})
        return await self._update(event.conversation_id,
                                  lambda c, now: c.touch("reply_failed", now))


async def _none() -> None:
    return None
