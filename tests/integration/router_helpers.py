"""What the router's integration tests share: a fresh store, an inbox API, messages, a clock,
and short ways to drive a conversation through the aggregate, the router and the inbox."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from kafka import KafkaConsumer
from opentelemetry import trace

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    Classification,
    ConversationUpdated,
    MessageClassified,
    ReplySent,
    Sentiment,
)
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.conversations import AtCapacity
from socialcare_router.adapters.store import Store
from socialcare_router.api import create_app
from socialcare_router.domain.conversation import ConversationError
from socialcare_router.domain.permissions import Actor
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.escalation import Escalator
from socialcare_router.inbox import Events, Inbox, NotFound
from socialcare_router.routing import Router
from socialcare_router.routing_config import RoutingConfig
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.mongo import connect
from socialcare_runtime.publisher import EventPublisher

T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, in business hours (UTC)
SUPERVISOR = Actor("sup", "supervisor")
RACERS = 20
USERS = {
    "k-agent": InboxUser(id="agent-a", name="Jamie Jones", role="agent"),
    "k-agent2": InboxUser(id="agent-b", name="Sam Lee", role="agent"),
    "k-sup": InboxUser(id="sup", name="Alex Kim", role="supervisor"),
    "k-admin": InboxUser(id="admin", name="Root", role="admin"),
    **{f"k-racer{i}": InboxUser(id=f"racer{i}", name=f"Racer {i}", role="agent")
       for i in range(RACERS)},
}
AGENT, AGENT2, SUP, ADMIN = ({"X-API-Key": k} for k in ("k-agent", "k-agent2", "k-sup", "k-admin"))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
async def store(mongo_url: str) -> AsyncIterator[Store]:
    """A router store on a database of its own, with its indexes; dropped afterwards."""
    client = connect(mongo_url, "test-router-store")
    name = f"it_{uuid.uuid4().hex[:10]}"
    store = Store(client, name)
    await store.create_indexes()
    yield store
    await client.drop_database(name)
    await client.close()


# Users of two brands, for tests of who may do what on which brand's conversations.
BRAND_USERS = {
    "k-owner": InboxUser(id="owner", name="Jamie Jones", role="agent", brands=["acme"]),
    "k-other": InboxUser(id="other", name="Sam Lee", role="agent", brands=["acme"]),
    "k-sup": InboxUser(id="sup", name="Alex Kim", role="supervisor", brands=["acme"]),
    "k-globex": InboxUser(id="sup-g", name="Pat Doe", role="supervisor", brands=["globex"]),
}


@asynccontextmanager
async def inbox_api(store: Store, kafka_bootstrap: str, users: dict[str, InboxUser]
                    ) -> AsyncIterator[httpx.AsyncClient]:
    """The inbox API in process for ``users``, over ``store`` and the real Kafka (topics of
    its own)."""
    settings = RouterSettings(kafka_bootstrap=kafka_bootstrap, inbox_users=users,
                              topic_prefix=f"it-{uuid.uuid4().hex[:8]}.")
    ensure_topics(kafka_bootstrap, [settings.topic(t) for t in topics.ALL], 1, 1)
    app = create_app(settings, store, lambda: EventPublisher.connect(
        kafka_bootstrap, "test-inbox", warm_topic=settings.topic(topics.REPLIES_REQUESTED)),
        trace.get_tracer("test"))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://inbox") as client:
            client.inbox_app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture
async def api(store: Store, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    """The inbox API for the test users (USERS)."""
    async with inbox_api(store, kafka_bootstrap, USERS) as client:
        yield client


def classified(mid: str, author: str = "u1", reply_to: str | None = None,
               at: datetime = T0, priority: int = 10,
               private_data: bool = False) -> MessageClassified:
    """A classified customer message to the brand account ``acme`` on X."""
    message = NormalizedMessage(
        platform="x", channel="reply" if reply_to else "mention", brand_account="acme",
        platform_message_id=mid, in_reply_to_id=reply_to, author={"id": author},
        text="my order is late", created_at=at, received_at=at)
    return MessageClassified(message=message, classification=Classification(
        language="en", language_confidence=0.9, sentiment=Sentiment(label="negative", score=-0.6),
        priority=priority, private_data=private_data, model_version="test"))


def brand_reply(mid: str, reply_to: str, at: datetime) -> MessageClassified:
    """The brand's own reply to ``reply_to``, as an import or a webhook sees it."""
    base = classified(mid, reply_to=reply_to, at=at)
    message = NormalizedMessage(**{**base.message.model_dump(), "from_brand": True,
                                   "author": {"id": "acme"}})
    return MessageClassified(message=message, classification=base.classification)


def router(store: Store, clock: Callable[[], datetime] | None = None) -> Router:
    """A Router whose routing configuration is read again for every message (refresh 0)."""
    return Router(store, SlaPolicy(), "general", timedelta(hours=24), clock=clock or Clock(T0),
                  config=RoutingConfig(store.config, refresh_s=0))


def inbox(store: Store, clock: Callable[[], datetime] | None = None,
          published: Events | None = None) -> Inbox:
    """The inbox service layer over ``store``; events it publishes go to ``published``."""
    config = RoutingConfig(store.config, refresh_s=0)

    async def publish(events: Events) -> None:
        if published is not None:
            published.extend(events)

    async def sla_of(brand_account: str) -> SlaPolicy:
        return (await config.current()).sla_for(brand_account, SlaPolicy())

    return Inbox(store.repository, store.config, store.audit, publish, sla_of,
                 store.work.held_unanswered, 0.75, ("general", "escalations"),
                 clock=clock or Clock(T0))


def last(events: Events) -> ConversationUpdated:
    """The newest of a handler's events: the conversation as it stands after it."""
    assert events, "the handler raised no event"
    return events[-1][2]


def changes(events: Events) -> list[str]:
    return [update.change for _, _, update in events]


def acked(store: Store, events: Events) -> Events:
    """What the worker does once Kafka acknowledged a handler's events: the conversation's
    next write drops them from its outbox instead of publishing them again."""
    store.repository.published([event_id for event_id, _, _ in events])
    return events


async def route(r: Router, message: MessageClassified, event_id: str) -> ConversationUpdated:
    """Routes a customer message as the worker does; the conversation after it."""
    return last(acked(r.store, await r.route_message(message, event_id)))


async def escalate(escalator: Escalator) -> Events:
    """One tick of the worker's escalation timer, its events published."""
    return acked(escalator.store, await escalator.run_once())


async def seed(store: Store, n: int = 1, **kw: object) -> list[str]:
    """``n`` conversations of customers u0..u{n-1}, each opened by one message."""
    r = router(store)
    return [(await route(r, classified(f"m{i}", author=f"u{i}", **kw), f"e{i}")).conversation_id
            for i in range(n)]


async def reply_sent(r: Router, store: Store, conversation_id: str, sent_at: datetime,
                     reply_id: str = "r1") -> Events:
    """An agent's reply requested and then sent, as the responder reports it."""
    await store.create_reply({"_id": reply_id, "conversation_id": conversation_id,
                              "status": "requested", "kind": "public", "text": "hi",
                              "agent_id": "a1", "brand_account": "acme",
                              "requested_at": sent_at})
    return acked(store, await r.on_reply_sent(ReplySent(
        reply_id=reply_id, conversation_id=conversation_id, platform="x",
        platform_message_id=f"p-{reply_id}", requested_at=sent_at, sent_at=sent_at)))


async def add_agent(store: Store, agent_id: str, capacity: int = 5) -> None:
    """An online agent profile with no load."""
    await store.config.bootstrap_agent(agent_id, {"presence": "online", "capacity": capacity,
                                                  "load": 0, "skills": {}})


async def conversation_updates(bootstrap: str, topic: str) -> list[ConversationUpdated]:
    """Every ConversationUpdated on ``topic`` from the start, as an integrator reads them."""
    def consume() -> list[ConversationUpdated]:
        consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap,
                                 auto_offset_reset="earliest", consumer_timeout_ms=5000)
        try:
            return [cloudevents.decode(r.value, r.headers, ConversationUpdated).data
                    for r in consumer]
        finally:
            consumer.close()
    return await asyncio.to_thread(consume)


DESK_ACTIONS = ("claim", "release", "transfer", "tag", "snooze", "resolve", "reopen",
                "message")


async def random_desk_action(rng: random.Random, desk: Inbox, r: Router, ids: list[str],
                             queues: tuple[str, ...], agents: tuple[str, ...], at: datetime,
                             step: int, actions: tuple[str, ...] = DESK_ACTIONS) -> None:
    """One random inbox action (or customer message, customer u<index>) on one of ``ids``;
    one its state refuses, or a race took away, changes nothing and is let pass."""
    cid, agent = rng.choice(ids), Actor(rng.choice(agents), "agent")
    action = rng.choice(actions)
    try:
        if action == "claim":
            await desk.claim(agent, cid)
        elif action == "release":
            await desk.release(SUPERVISOR, cid)
        elif action == "transfer":
            await desk.transfer(SUPERVISOR, cid, rng.choice(queues), None)
        elif action == "tag":
            await desk.tag(SUPERVISOR, cid, [rng.choice(("vip", "refund"))], [])
        elif action == "snooze":
            await desk.snooze(SUPERVISOR, cid, at + timedelta(hours=2))
        elif action == "resolve":
            await desk.resolve(SUPERVISOR, cid)
        elif action == "reopen":
            await desk.reopen(SUPERVISOR, cid)
        else:
            await r.route_message(classified(f"n{step}", author=f"u{ids.index(cid)}", at=at),
                                  f"f{step}")
    except (ConversationError, AtCapacity, NotFound):
        pass
