"""Quota-aware sending on the real servers: the shared budget raced by two replicas on the
MongoDB server, and the responder process pacing replies through the sandbox gateway."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from opentelemetry import trace
from opentelemetry.metrics import NoOpMeter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import ReplyKind, ReplyRequested, ReplySent
from socialcare_contracts.gateway.v1 import sandbox_pb2
from socialcare_contracts.messages import Platform
from socialcare_gateways.sandbox import SandboxGateway
from socialcare_gateways.settings import Budget
from socialcare_responder.adapters.budget import BudgetStore
from socialcare_responder.adapters.gateways import GatewayClients
from socialcare_responder.adapters.ledger import DeliveryLedger
from socialcare_responder.domain.budget import Lane, Limit
from socialcare_responder.metrics import ResponderMetrics
from socialcare_responder.pacing import SendBudget
from socialcare_responder.sending import ReplySender
from socialcare_responder.settings import ResponderSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.metrics import consumer_lag
from socialcare_runtime.settings import ServiceSettings
from tests.fakes.platform_server import serving_gateway
from tests.waiting import eventually_async

pytestmark = pytest.mark.integration


@pytest.fixture
async def second_replica(mongo_url: str, mongo_db: AsyncDatabase) -> AsyncIterator[AsyncDatabase]:
    """The same database through a connection of its own, as another replica has."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    yield client[mongo_db.name]
    await client.close()


async def test_two_replicas_racing_for_a_window_never_count_past_its_limit(
        mongo_db: AsyncDatabase, second_replica: AsyncDatabase) -> None:
    replicas = [BudgetStore(mongo_db), BudgetStore(second_replica)]
    window = f"x|acme|sends|900|{uuid.uuid4().hex}"
    counts = await asyncio.gather(*(replicas[i % 2].take(window, 7, time.time() + 900)
                                    for i in range(60)))
    # Exactly the limit's worth of takes succeed. (The counts they report are distinct on
    # MongoDB 7; mongo-java-server may hand two racing clients the same post-image, so
    # only the range is checked: pacing decides on success, the count is a gauge.)
    taken = [c for c in counts if c is not None]
    assert len(taken) == 7 and all(1 <= c <= 7 for c in taken)
    assert await replicas[1].used(window) == 7
    assert await replicas[0].take(window, 8, time.time() + 900) == 8  # a raised limit


async def test_paced_replicas_share_one_budget_window_by_window(
        mongo_db: AsyncDatabase, second_replica: AsyncDatabase) -> None:
    lane = Lane("sandbox", f"acme-{uuid.uuid4().hex[:6]}", "sends", Limit(3, 1))
    budgets = [SendBudget(BudgetStore(db), ResponderMetrics(NoOpMeter("t")), margin=0,
                          poll_s=0.2) for db in (mongo_db, second_replica)]
    taken: list[float] = []

    async def send(i: int) -> None:
        await budgets[i % 2].take(lane)
        taken.append(time.time())

    await asyncio.wait_for(asyncio.gather(*(send(i) for i in range(10))), 30)
    per_window = Counter(int(t // 1) for t in taken)
    assert len(taken) == 10 and max(per_window.values()) <= 3
    assert max(taken) - min(taken) > 2  # four windows at least: paced, not sent at once


async def test_advertised_limits_are_asked_again_once_they_are_old() -> None:
    sandbox = SandboxGateway(trace.get_tracer("test"))
    clients: GatewayClients | None = None
    try:
        async with serving_gateway(sandbox) as target:
            clients = GatewayClients({"*": target}, 2, capabilities_ttl_s=0.3)
            assert (await clients.capabilities("api")).requests_per_window == 0
            await sandbox.SetFaults(sandbox_pb2.Faults(rate_limit_per_second=9), None)
            assert (await clients.capabilities("api")).requests_per_window == 0  # cached

            async def refreshed() -> bool:
                return (await clients.capabilities("api")).requests_per_window == 9

            await eventually_async(refreshed, "the new limit", 5)
        # The gateway is gone: the last known limits stay in place.
        await asyncio.sleep(0.35)
        assert (await clients.capabilities("api")).requests_per_window == 9
    finally:
        if clients is not None:
            await clients.close()


async def test_a_429_is_counted_closes_the_window_and_the_reply_still_goes(
        mongo_db: AsyncDatabase) -> None:
    # The platform allows less than it advertises: the responder learns it from a 429.
    sandbox = SandboxGateway(trace.get_tracer("test"), budget=Budget(requests=50, window_s=2))
    await sandbox.SetFaults(sandbox_pb2.Faults(rate_limit_per_second=2), None)
    reader = InMemoryMetricReader()
    store = BudgetStore(mongo_db)
    async with serving_gateway(sandbox) as target:
        clients = GatewayClients({"*": target}, 2)
        budget = SendBudget(store, ResponderMetrics(MeterProvider([reader]).get_meter("t")),
                            margin=0, poll_s=0.2)
        sender = ReplySender(clients, DeliveryLedger(mongo_db), ResponderSettings(
            reply_give_up_after_s=20), max_backoff_s=0.2, budget=budget)
        try:
            replies = [ReplyRequested(
                reply_id=uuid.uuid4().hex, conversation_id=f"c-{i}", platform=Platform.API,
                brand_account="acme", kind=ReplyKind.PUBLIC, in_reply_to_id="m-1",
                recipient_id="c-1", text="On it", agent_id="a1",
                requested_at=datetime.now(UTC)) for i in range(5)]
            outcomes = await asyncio.wait_for(
                asyncio.gather(*(sender.send(r) for r in replies)), 30)
            records = list((await sandbox.ListSent(sandbox_pb2.ListSentRequest(), None)).records)
        finally:
            await clients.close()
    assert all(isinstance(o, ReplySent) for o in outcomes)
    assert sorted(r.idempotency_key for r in records) == sorted(r.reply_id for r in replies)
    exhausted = [doc async for doc in mongo_db.send_budget.find({}) if doc.get("used") == 50]
    assert exhausted, "a 429 marks its window full for every replica"
    points = [p for m in reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics
              if m.name == "socialcare.responder.rate_limited" for p in m.data.data_points]
    assert sum(p.value for p in points) >= 1


def within_limit(sent_ms: list[int], limit: int, window_ms: int, latency_ms: int) -> bool:
    """Whether the sends fit ``limit`` per aligned window, a send recorded in the first
    ``latency_ms`` of a window being allowed the previous one (it took its slot there)."""
    counts: Counter[int] = Counter()
    for at in sorted(sent_ms):
        window = at // window_ms
        late = at - latency_ms < window * window_ms
        counts[window - 1 if late and counts[window - 1] < limit else window] += 1
    return max(counts.values()) <= limit


class Responder:
    """The responder process on the real Kafka with a fresh prefix and database."""

    def __init__(self, bootstrap: str, mongo_url: str, gateway: str, tmp: Path) -> None:
        run = uuid.uuid4().hex[:10]
        self.settings = ServiceSettings(kafka_bootstrap=bootstrap, topic_prefix=f"t{run}.")
        ensure_topics(bootstrap, [self.settings.topic(t) for t in topics.ALL], 2)
        self.env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": bootstrap,
                    "SOCIALCARE_TOPIC_PREFIX": f"t{run}.", "SOCIALCARE_TOPIC_PARTITIONS": "2",
                    "SOCIALCARE_MONGO_URL": mongo_url, "SOCIALCARE_MONGO_DATABASE": f"t_{run}",
                    "SOCIALCARE_GATEWAYS": f'{{"*": "{gateway}"}}',
                    "SOCIALCARE_SEND_BUDGET_MARGIN": "0", "SOCIALCARE_SEND_BUDGET_POLL_S": "0.2",
                    "SOCIALCARE_STREAM_DATA_DIR": str(tmp / "streams"),
                    "SOCIALCARE_LOG_LEVEL": "WARNING"}
        self.mongo_url, self.database, self.tmp = mongo_url, f"t_{run}", tmp
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        log = (self.tmp / f"responder-{len(self.processes)}.log").open("wb")
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "socialcare_responder"], env=self.env, stdout=log,
            stderr=subprocess.STDOUT))

    def committed(self) -> int:
        """Requests the responders' group has committed as done with."""
        admin = KafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap)
        try:
            lag = consumer_lag(admin, self.settings.topic("socialcare-responder"))
        finally:
            admin.close()
        topic = self.settings.topic(topics.REPLIES_REQUESTED)
        return self.written() - lag[topic] if topic in lag else 0

    def written(self) -> int:
        """Records in the requests topic, written back ones included."""
        topic = self.settings.topic(topics.REPLIES_REQUESTED)
        consumer = KafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap)
        try:
            return sum(consumer.end_offsets([TopicPartition(topic, p) for p in (0, 1)]).values())
        finally:
            consumer.close()

    def request(self, priority: int, bulk: bool) -> ReplyRequested:
        reply = ReplyRequested(
            reply_id=uuid.uuid4().hex, conversation_id=f"conv-{uuid.uuid4().hex[:8]}",
            platform=Platform.API, brand_account="acme", kind=ReplyKind.PUBLIC,
            in_reply_to_id="m-1", recipient_id="c-1", text="Sorry about your order",
            agent_id="a1", requested_at=datetime.now(UTC), priority=priority, bulk=bulk)
        value, headers = cloudevents.encode(reply, source="test")
        self.producer.send(self.settings.topic(topics.REPLIES_REQUESTED),
                           key=reply.conversation_id.encode(), value=value, headers=headers)
        self.producer.flush()
        return reply

    async def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.producer.close()
        client: AsyncMongoClient = AsyncMongoClient(self.mongo_url)
        await client.drop_database(self.database)
        await client.close()


async def test_the_responder_paces_replies_inside_the_advertised_budget_urgent_first(
        kafka_bootstrap: str, mongo_url: str, tmp_path: Path) -> None:
    limit, window_s = 5, 2
    sandbox = SandboxGateway(trace.get_tracer("test"),
                             budget=Budget(requests=limit, window_s=window_s))

    async def sent() -> list[sandbox_pb2.SentRecord]:
        return list((await sandbox.ListSent(sandbox_pb2.ListSentRequest(), None)).records)

    async with serving_gateway(sandbox) as target:
        responder = Responder(kafka_bootstrap, mongo_url, target, tmp_path)
        try:
            bulk = [responder.request(priority=0, bulk=True) for _ in range(19)]
            responder.start()
            # Two windows spent on bulk copies (the second just opened: its copies went at
            # its start), and nine copies wait; now urgent one-offs arrive.
            await eventually_async(lambda: _at_least(sent, 2 * limit), "two windows", 90)
            urgent_at_ms = int(time.time() * 1000)
            urgent = [responder.request(priority=90, bulk=False) for _ in range(3)]
            records = await eventually_async(lambda: _at_least(sent, 22), "every reply", 60)
        finally:
            await responder.close()

    keys = Counter(r.idempotency_key for r in records)
    assert set(keys) == {r.reply_id for r in bulk + urgent}
    assert max(keys.values()) == 1 and all(r.attempts == 1 for r in records)  # none twice
    times = [r.sent_at_unix_ms for r in records]
    assert within_limit(times, limit, window_s * 1000, latency_ms=150)
    assert max(times) - min(times) > 3 * window_s * 1000  # 22 at 5 a window: 5 windows
    # The urgent replies jumped the nine waiting copies. A window may open between their
    # publication and the responder reading them (under load, a second or more): its copies
    # may then go first, but no more than that one window's, where in arrival order all
    # nine would have.
    urgent_ids = {r.reply_id for r in urgent}
    last_urgent = max(r.sent_at_unix_ms for r in records if r.idempotency_key in urgent_ids)
    waiting_bulk = [r.sent_at_unix_ms for r in records
                    if r.idempotency_key not in urgent_ids and r.sent_at_unix_ms > urgent_at_ms]
    assert waiting_bulk  # copies still waited when the urgent ones came
    ahead = [t for t in waiting_bulk if t < last_urgent - 50]
    assert len(ahead) < limit and (not ahead or max(ahead) - min(ahead) < window_s * 1000), \
        (ahead, last_urgent)


async def test_a_rebalance_does_not_wait_for_replies_waiting_for_budget(
        kafka_bootstrap: str, mongo_url: str, tmp_path: Path) -> None:
    # A day's budget of 5: the rest wait far longer than the test.
    sandbox = SandboxGateway(trace.get_tracer("test"), budget=Budget(requests=5, window_s=86400))

    async def sent() -> list[sandbox_pb2.SentRecord]:
        return list((await sandbox.ListSent(sandbox_pb2.ListSentRequest(), None)).records)

    async with serving_gateway(sandbox) as target:
        responder = Responder(kafka_bootstrap, mongo_url, target, tmp_path)
        try:
            responder.start()
            replies = [responder.request(priority=0, bulk=False) for _ in range(10)]
            await eventually_async(lambda: _at_least(sent, 5), "the budget spent", 90)
            responder.start()  # a second replica joins: the group rebalances

            async def rebalanced() -> bool:
                # Waiting requests written back and committed: the rebalance went through.
                return responder.committed() >= 10 and responder.written() > 10

            await eventually_async(rebalanced, "waiting requests handed back", 90,
                                   interval_s=0.5)
            records = await sent()
        finally:
            await responder.close()
    assert len(records) == 5 and all(r.attempts == 1 for r in records)
    assert {r.idempotency_key for r in records} < {r.reply_id for r in replies}


async def _at_least(sent, n: int):  # type: ignore[no-untyped-def]
    records = await sent()
    return records if len(records) >= n else None
