"""The router stream: classified messages and reply outcomes in, conversation updates out."""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import faust
from opentelemetry import trace

from socialcare_contracts import topics
from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.events import MessageClassified, ReplyFailed, ReplySent
from socialcare_contracts.messages import Contract
from socialcare_router.distribution import Distributor
from socialcare_router.escalation import Escalator
from socialcare_router.inbox import Events
from socialcare_router.routing import Router
from socialcare_router.settings import RouterSettings
from socialcare_runtime.metrics import service_metrics
from socialcare_runtime.mongo import TRANSIENT_ERRORS
from socialcare_runtime.streams import (
    RecordProcessor,
    create_app,
    raw_topic,
    send_event,
)

SERVICE = "socialcare-router"
log = logging.getLogger(__name__)
T = TypeVar("T", bound=Contract)


def build_app(settings: RouterSettings, router: Router, tracer: trace.Tracer,
              escalator: Escalator | None = None,
              distributor: Distributor | None = None,
              queue_depths: Callable[[], Awaitable[dict[str, int]]] | None = None) -> faust.App:
    """Wires one agent per input topic; MongoDB outages are retried, never dead-lettered."""
    app = create_app(SERVICE, settings)
    # MongoDB round trips dominate: a batch's conversations are routed concurrently, each
    # conversation key's records still in order.
    processor = RecordProcessor(app, settings, SERVICE, tracer, transient_errors=TRANSIENT_ERRORS,
                                concurrent_keys=True)
    updated = raw_topic(app, settings.topic(topics.CONVERSATIONS_UPDATED))

    async def publish(events: Events) -> None:
        # Keyed by conversation so integrators see one conversation's changes in order; the
        # batch waits for Kafka's acknowledgements before its offsets commit, so a lost
        # send is redelivered and published again from the conversation's outbox.
        for event_id, conversation_id, event in events:
            await send_event(updated, conversation_id, event, SERVICE, event_id=event_id)
        router.repository.published([e[0] for e in events])

    def handler(apply: Callable[[Envelope[T]], Awaitable[Events]]
                ) -> Callable[[Envelope[T]], Awaitable[None]]:
        async def handle(envelope: Envelope[T]) -> None:
            await publish(await apply(envelope))
        return handle

    route = handler(lambda e: router.route_message(e.data, e.id))
    sent = handler(lambda e: router.on_reply_sent(e.data))
    failed = handler(lambda e: router.on_reply_failed(e.data))

    @app.agent(raw_topic(app, settings.topic(topics.MESSAGES_CLASSIFIED)), name="route")
    async def route_agent(stream: faust.StreamT) -> None:
        await processor.run(stream, MessageClassified, route, "route")

    @app.agent(raw_topic(app, settings.topic(topics.REPLIES_SENT)), name="reply_sent")
    async def sent_agent(stream: faust.StreamT) -> None:
        await processor.run(stream, ReplySent, sent, "reply-sent")

    @app.agent(raw_topic(app, settings.topic(topics.REPLIES_FAILED)), name="reply_failed")
    async def failed_agent(stream: faust.StreamT) -> None:
        await processor.run(stream, ReplyFailed, failed, "reply-failed")

    # The timers run on the group's leader only: N workers reading the same due entries
    # would only multiply the load on MongoDB (each step is a conditional update, so a
    # second runner during a rebalance still applies it once).
    if escalator is not None:
        @app.timer(interval=settings.escalation_check_s, on_leader=True)
        async def escalate() -> None:
            try:
                events = await escalator.run_once()
            except TRANSIENT_ERRORS as exc:  # the next tick retries from stored deadlines
                log.warning("escalation check skipped: %s", type(exc).__name__)
                return
            await publish(events)

    if distributor is not None:
        @app.timer(interval=settings.distribution_check_s, on_leader=True)
        async def distribute() -> None:
            try:
                events = await distributor.run_once()
            except TRANSIENT_ERRORS as exc:  # waiting work waits one tick longer
                log.warning("backlog distribution skipped: %s", type(exc).__name__)
                return
            await publish(events)

    if queue_depths is not None:
        @app.timer(interval=settings.queue_depth_interval_s, on_leader=True)
        async def measure_queues() -> None:
            try:
                service_metrics().set_queue_depth(await queue_depths())
            except TRANSIENT_ERRORS as exc:  # the gauge keeps its last figures until next tick
                log.warning("queue depth not measured: %s", type(exc).__name__)

    return app
