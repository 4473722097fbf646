"""The router stream: classified messages and reply outcomes in, conversation updates out."""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import faust
from opentelemetry import trace

from socialcare_contracts import topics
from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.events import (
    ClassificationRefined,
    MessageClassified,
    ReplyFailed,
    ReplySent,
)
from socialcare_contracts.incidents import IncidentUpdated
from socialcare_contracts.messages import Contract
from socialcare_router.adapters.clusters import ClusterIndex
from socialcare_router.distribution import Distributor
from socialcare_router.domain.threading import message_key
from socialcare_router.escalation import Escalator
from socialcare_router.holding import answer_holding
from socialcare_router.inbox import Events
from socialcare_router.refinements import Refinements
from socialcare_router.routing import Router
from socialcare_router.settings import RouterSettings
from socialcare_router.surges import SurgeDetector
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
R = TypeVar("R")


def build_app(settings: RouterSettings, router: Router, tracer: trace.Tracer,
              escalator: Escalator | None = None,
              distributor: Distributor | None = None,
              queue_depths: Callable[[], Awaitable[dict[str, int]]] | None = None,
              surges: SurgeDetector | None = None,
              clusters: ClusterIndex | None = None,
              refinements: Refinements | None = None) -> faust.App:
    """Wires one agent per input topic; MongoDB outages are retried, never dead-lettered."""
    app = create_app(SERVICE, settings)
    # MongoDB round trips dominate: a batch's conversations are routed concurrently, each
    # conversation key's records still in order.
    processor = RecordProcessor(app, settings, SERVICE, tracer, transient_errors=TRANSIENT_ERRORS,
                                concurrent_keys=True)
    updated = raw_topic(app, settings.topic(topics.CONVERSATIONS_UPDATED))
    replies = raw_topic(app, settings.topic(topics.REPLIES_REQUESTED))  # holding replies

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

    async def route_and_count(envelope: Envelope[MessageClassified]) -> Events:
        events = await router.route_message(envelope.data, envelope.id)
        message, facts = envelope.data.message, envelope.data.classification
        if message.from_brand:
            return events
        await answer_holding(router, envelope.data, events, lambda reply: send_event(
            replies, reply.conversation_id, reply, SERVICE, event_id=reply.reply_id))
        if not events:
            return events  # a repeat stores nothing new, and is counted once
        if surges is not None:
            surges.count(envelope.data, router.clock())
        if clusters is not None:
            clusters.note(message.brand_account, facts.intents, message.text, events[-1][1],
                          message_key(message.platform, message.brand_account,
                                      message.platform_message_id), message.created_at)
        return events

    route = handler(route_and_count)
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

    if refinements is not None:  # the deep stage's later corrections (issue 16)
        refine = handler(lambda e: refinements.apply(e.data))

        @app.agent(raw_topic(app, settings.topic(topics.CLASSIFICATIONS_REFINED)), name="refine")
        async def refine_agent(stream: faust.StreamT) -> None:
            await processor.run(stream, ClassificationRefined, refine, "refine")

    # The timers run on the group's leader only: N workers reading the same due entries
    # would only multiply the load on MongoDB (each step is a conditional update, so a
    # second runner during a rebalance still applies it once). A tick that meets a MongoDB
    # outage is skipped: the next one starts again from what is stored.
    def timer(name: str, interval_s: float, tick: Callable[[], Awaitable[None]],
              on_leader: bool = True) -> None:
        async def run() -> None:
            try:
                await tick()
            except TRANSIENT_ERRORS as exc:
                log.warning("%s skipped: %s", name, type(exc).__name__)
        app.timer(interval=interval_s, on_leader=on_leader, name=name)(run)

    if escalator is not None:
        timer("escalation check", settings.escalation_check_s,
                     lambda: _then(escalator.run_once(), publish))
    if distributor is not None:
        timer("backlog distribution", settings.distribution_check_s,
                     lambda: _then(distributor.run_once(), publish))
    if queue_depths is not None:
        timer("queue depth", settings.queue_depth_interval_s,
                     lambda: _then(queue_depths(), service_metrics().set_queue_depth))
    if surges is not None:
        incidents = raw_topic(app, settings.topic(topics.INCIDENTS))

        async def announce(events: list[IncidentUpdated]) -> None:
            for event in events:  # keyed by brand: one brand's incidents stay in order
                await send_event(incidents, event.brand_account, event, SERVICE)
        timer("surge check", settings.surge_check_s,
                     lambda: _then(surges.run_once(), announce))
        # Every worker counts what it routes and adds its counts once a second.
        timer("volume flush", 1.0, surges.volume.flush, on_leader=False)
    if refinements is not None:
        timer("refinements awaiting", 5.0,
              lambda: _then(refinements.retry_awaiting(), publish))
    if clusters is not None:
        # ... and groups what it routed once a second too.
        timer("cluster flush", 1.0, clusters.flush, on_leader=False)

    return app


async def _then(result: Awaitable[R], use: Callable[[R], Awaitable[None] | None]) -> None:
    done = use(await result)
    if done is not None:
        await done
