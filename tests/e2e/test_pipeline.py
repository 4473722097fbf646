"""The whole flow with every service as its own process, on the real Kafka and MongoDB."""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer
from pymongo import MongoClient

from socialcare_contracts import topics
from socialcare_contracts.gateway.v1 import sandbox_pb2, sandbox_pb2_grpc
from socialcare_local.infra import Endpoints
from tests.e2e.stack import Stack, eventually, running_stack

pytestmark = pytest.mark.e2e
INGEST_KEY = {"X-API-Key": "dev-ingest-key"}
AGENT_KEY = {"X-API-Key": "dev-agent-key"}


@pytest.fixture(scope="module")
def stack(infra: Endpoints, mongo_url: str) -> Iterator[Stack]:
    with running_stack(infra, mongo_url) as stack:
        yield stack


@pytest.fixture(scope="module")
def db(stack: Stack, mongo_url: str) -> Any:
    return MongoClient(mongo_url, tz_aware=True)[stack.database]


def customer_message(message_id: str, author: str = "cust-1", **extra: Any) -> dict[str, Any]:
    return {"platform": "x", "channel": "mention", "brand_account": "acmeshop",
            "platform_message_id": message_id,
            "author": {"id": author, "handle": "dana_r", "display_name": "Dana R"},
            "text": "@acmeshop my order #A1234 still hasn't arrived, it's been 2 weeks!",
            "created_at": datetime.now(UTC).isoformat(), **extra}


def sandbox_records(stack: Stack, key: str = "") -> list[sandbox_pb2.SentRecord]:
    with grpc.insecure_channel(f"127.0.0.1:{stack.gateway_port}") as channel:
        stub = sandbox_pb2_grpc.SandboxControlStub(channel)
        return list(stub.ListSent(sandbox_pb2.ListSentRequest(idempotency_key=key)).records)


def test_message_to_reply_end_to_end(stack: Stack, db: Any) -> None:
    ingest = f"http://127.0.0.1:{stack.ingest_port}"
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    accepted = httpx.post(f"{ingest}/v1/messages", headers=INGEST_KEY,
                          json=customer_message("e2e-1001"), timeout=10)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["accepted"][0]["platform_message_id"] == "e2e-1001"

    conversation = eventually(lambda: db.conversations.find_one(
        {"message_keys": "x:acmeshop:e2e-1001"}))
    assert conversation["queue"] == "general"
    assert conversation["status"] == "open"
    due = conversation["first_response_due_at"]
    assert conversation["created_at"] < due
    message = db.messages.find_one({"_id": "x:acmeshop:e2e-1001"})
    assert message["classification"]["language"] == "en"
    assert message["classification"]["sentiment"]["label"] == "negative"

    queue = httpx.get(f"{inbox}/v1/queues/general/conversations", headers=AGENT_KEY).json()
    assert conversation["_id"] in [c["id"] for c in queue["items"]]

    reply = httpx.post(f"{inbox}/v1/conversations/{conversation['_id']}/replies",
                       headers={**AGENT_KEY, "Idempotency-Key": "reply-e2e-1"},
                       json={"text": "Sorry Dana, we're on it: DM us your order number. ^JJ"})
    assert reply.status_code == 202, reply.text
    reply_id = reply.json()["reply_id"]
    # A client retry with the same Idempotency-Key must not queue a second reply.
    again = httpx.post(f"{inbox}/v1/conversations/{conversation['_id']}/replies",
                       headers={**AGENT_KEY, "Idempotency-Key": "reply-e2e-1"},
                       json={"text": "Sorry Dana, we're on it: DM us your order number. ^JJ"})
    assert again.json()["reply_id"] == reply_id

    records = eventually(lambda: sandbox_records(stack, reply_id))
    assert len(records) == 1 and records[0].attempts == 1
    assert records[0].target_id == "e2e-1001"
    stored = eventually(lambda: db.conversations.find_one(
        {"_id": conversation["_id"], "first_response_at": {"$ne": None}}))
    assert stored["first_response_at"] >= conversation["created_at"]
    detail = httpx.get(f"{inbox}/v1/conversations/{conversation['_id']}", headers=AGENT_KEY).json()
    assert detail["replies"][0]["status"] == "sent"
    assert [m["direction"] for m in detail["messages"]] == ["inbound", "outbound"]


def test_follow_up_threads_into_the_same_conversation(stack: Stack, db: Any) -> None:
    ingest = f"http://127.0.0.1:{stack.ingest_port}"
    for message in (customer_message("e2e-2001", author="cust-2"),
                    customer_message("e2e-2002", author="cust-2", channel="reply",
                                     in_reply_to_id="e2e-2001")):
        assert httpx.post(f"{ingest}/v1/messages", headers=INGEST_KEY,
                          json=message).status_code == 202
    conversation = eventually(lambda: db.conversations.find_one(
        {"customer_id": "cust-2", "message_keys": {"$size": 2}}))
    assert db.conversations.count_documents({"customer_id": "cust-2"}) == 1
    # The conversation lists a message just before the message document is stored.
    assert eventually(lambda: db.messages.count_documents(
        {"conversation_id": conversation["_id"]}) == 2, "both messages stored")


def test_poison_record_is_dead_lettered_and_the_worker_goes_on(stack: Stack, db: Any) -> None:
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    received = stack.prefix + topics.MESSAGES_RECEIVED
    producer.send(received, key=b"x:acmeshop:poison", value=b"\xff{not json",
                  headers=[("ce_type", topics.MESSAGES_RECEIVED.encode())])
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(stack.prefix + topics.DEADLETTER,
                             bootstrap_servers=stack.kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=30_000)
    try:
        letters = []
        for record in consumer:
            letters.append(json.loads(record.value))
            if any(base64.b64decode(x["value_base64"]) == b"\xff{not json" for x in letters):
                break
    finally:
        consumer.close()
    poison = next(x for x in letters if base64.b64decode(x["value_base64"]) == b"\xff{not json")
    assert poison["stage"] == "classify" and poison["source_topic"] == received
    assert "ce_specversion" in poison["reason"] or "invalid" in poison["reason"]

    # The classifier keeps going: the next good message still reaches MongoDB.
    httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages", headers=INGEST_KEY,
               json=customer_message("e2e-3001", author="cust-3"))
    eventually(lambda: db.messages.find_one({"_id": "x:acmeshop:e2e-3001"}))


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400),
    (b'{"platform": "x"}', 422),
    (b'{"platform": "x", "channel": "mention", "brand_account": "a", "platform_message_id": 5,'
     b' "author": {"id": "u"}, "text": "hi", "created_at": "yesterday"}', 422),
    (b"\xff\xfe", 400),
    (b"[" + b'"x",' * 400_000 + b'"x"]', 413),
])
def test_bad_input_is_refused_and_nothing_is_published(stack: Stack, body: bytes,
                                                       status: int) -> None:
    received = stack.prefix + topics.MESSAGES_RECEIVED
    before = _end_offsets(stack, received)
    response = httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages",
                          headers={**INGEST_KEY, "content-type": "application/json"},
                          content=body)
    assert response.status_code == status
    assert response.json()["detail"]
    assert _end_offsets(stack, received) == before


def _end_offsets(stack: Stack, topic: str) -> dict[int, int]:
    from kafka import TopicPartition
    consumer = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()
