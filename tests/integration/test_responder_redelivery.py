"""The responder process on the real Kafka with the sandbox gateway process.

A responder killed between the platform call and its offset commit must not post twice
after restart; a platform outage must hold replies back and drain them, none lost.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from pymongo import MongoClient

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import ReplyKind, ReplyRequested, ReplySent
from socialcare_contracts.gateway.v1 import sandbox_pb2, sandbox_pb2_grpc
from socialcare_contracts.messages import Platform
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.settings import ServiceSettings
from tests.waiting import eventually

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Harness:
    def __init__(self, bootstrap: str, mongo_url: str, tmp: Path) -> None:
        run = uuid.uuid4().hex[:10]
        self.settings = ServiceSettings(kafka_bootstrap=bootstrap, topic_prefix=f"t{run}.",
                                        topic_partitions=2)
        port = free_port()
        self.env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": bootstrap,
                    "SOCIALCARE_TOPIC_PREFIX": f"t{run}.", "SOCIALCARE_TOPIC_PARTITIONS": "2",
                    "SOCIALCARE_MONGO_URL": mongo_url, "SOCIALCARE_MONGO_DATABASE": f"t_{run}",
                    "SOCIALCARE_GATEWAY_PORT": str(port),
                    "SOCIALCARE_GATEWAYS": f'{{"*": "127.0.0.1:{port}"}}',
                    "SOCIALCARE_CIRCUIT_RESET_AFTER_S": "1",
                    "SOCIALCARE_STREAM_DATA_DIR": str(tmp / "streams"),
                    "SOCIALCARE_LOG_LEVEL": "WARNING"}
        self.tmp = tmp
        self.mongo_url, self.database = mongo_url, f"t_{run}"
        ensure_topics(bootstrap, [self.settings.topic(t) for t in topics.ALL], 2)
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.gateway = self._spawn("gateway", "socialcare_gateways", "sandbox")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self.channel).result(timeout=30)
        self.control = sandbox_pb2_grpc.SandboxControlStub(self.channel)
        self.responders: list[subprocess.Popen] = []

    def _spawn(self, name: str, module: str, *args: str) -> subprocess.Popen:
        log = (self.tmp / f"{name}-{time.monotonic_ns()}.log").open("wb")
        return subprocess.Popen([sys.executable, "-m", module, *args], env=self.env,
                                stdout=log, stderr=subprocess.STDOUT)

    def start_responder(self) -> subprocess.Popen:
        proc = self._spawn("responder", "socialcare_responder")
        self.responders.append(proc)
        return proc

    def request(self) -> ReplyRequested:
        reply = ReplyRequested(
            reply_id=uuid.uuid4().hex, conversation_id=f"conv-{uuid.uuid4().hex[:6]}",
            platform=Platform.X, brand_account="acme", kind=ReplyKind.PUBLIC,
            in_reply_to_id="m-1", recipient_id="c-1", text="We're on it", agent_id="a1",
            requested_at=datetime.now(UTC))
        value, headers = cloudevents.encode(reply, source="test")
        self.producer.send(self.settings.topic(topics.REPLIES_REQUESTED),
                           key=reply.conversation_id.encode(), value=value, headers=headers)
        self.producer.flush()
        return reply

    def sent(self) -> list[sandbox_pb2.SentRecord]:
        return list(self.control.ListSent(sandbox_pb2.ListSentRequest()).records)

    def sent_events(self, until: int, timeout_s: float) -> list:
        consumer = KafkaConsumer(self.settings.topic(topics.REPLIES_SENT),
                                 bootstrap_servers=self.settings.kafka_bootstrap,
                                 auto_offset_reset="earliest", group_id=None,
                                 consumer_timeout_ms=1000)
        events: list = []
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline and len(events) < until:
                events.extend(cloudevents.decode(r.value, r.headers, ReplySent)
                              for r in consumer)
        finally:
            consumer.close()
        return events

    def committed(self) -> int:
        """Requests the responders' consumer group has committed: handled and done with."""
        group = self.settings.topic("socialcare-responder")
        admin = KafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap)
        try:
            offsets = admin.list_group_offsets({group: None}).get(group, {})
        finally:
            admin.close()
        return sum(max(0, o.offset) for o in offsets.values())

    def most_attempts(self) -> int:
        """The most gateway calls the delivery ledger noted for one reply part."""
        with MongoClient(self.mongo_url) as client:
            doc = client[self.database]["deliveries"].find_one(sort=[("attempts", -1)])
        return doc["attempts"] if doc else 0

    def close(self) -> None:
        for proc in [*self.responders, self.gateway]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.responders, self.gateway]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.channel.close()
        self.producer.close()
        with MongoClient(self.mongo_url) as client:
            client.drop_database(self.database)


@pytest.fixture
def harness(kafka_bootstrap: str, mongo_url: str, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(kafka_bootstrap, mongo_url, tmp_path)
    yield h
    h.close()


def test_a_responder_killed_mid_send_does_not_post_twice_after_restart(harness: Harness) -> None:
    # The sandbox records the post, then holds its answer: the responder dies waiting.
    harness.control.SetFaults(sandbox_pb2.Faults(response_delay_ms=3000))
    first = harness.start_responder()
    reply = harness.request()
    eventually(harness.sent, "the responder calling the gateway", 60, interval_s=0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    harness.control.SetFaults(sandbox_pb2.Faults())
    harness.start_responder()
    events = harness.sent_events(until=1, timeout_s=90)
    # The offset is committed after the request is handled: by then a wrong second send
    # would have reached the sandbox.
    eventually(lambda: harness.committed() == 1, "the request committed", 60)

    [record] = harness.sent()
    assert record.idempotency_key == reply.reply_id
    assert record.attempts == 2  # resent after the restart, answered without a second post
    assert {e.id for e in harness.sent_events(until=len(events), timeout_s=5)} == \
        {events[0].id}
    assert events[0].data.platform_message_id == record.platform_message_id


def test_an_outage_queues_replies_and_drains_them_after_recovery(harness: Harness) -> None:
    harness.control.SetFaults(sandbox_pb2.Faults(failure_rate=1.0))
    harness.start_responder()
    replies = [harness.request() for _ in range(5)]
    # Threshold (5) failures open the circuit; a 6th call is the half-open trial 1 s later:
    # the responder has kept trying through an open circuit without giving up a reply.
    eventually(lambda: harness.most_attempts() >= 6, "retries through an open circuit", 60)
    assert harness.sent() == [] and harness.sent_events(until=1, timeout_s=2) == []

    harness.control.SetFaults(sandbox_pb2.Faults())
    events = harness.sent_events(until=5, timeout_s=60)
    assert {e.data.reply_id for e in events} == {r.reply_id for r in replies}
    assert sorted(r.idempotency_key for r in harness.sent()) == \
        sorted(r.reply_id for r in replies)
