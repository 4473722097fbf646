"""Reads what the run left behind: the topics from their start, the database, the gateway."""

import base64
import json
from collections import Counter
from collections.abc import Iterator

import grpc
from kafka import KafkaConsumer, TopicPartition
from pymongo import MongoClient

from bench.faults.agent import AgentStats
from bench.faults.reconcile import DeadLetter, Observed, StoredReply
from socialcare_contracts import topics
from socialcare_contracts.gateway.v1 import sandbox_pb2, sandbox_pb2_grpc
from socialcare_local.isolated import IsolatedStack
from socialcare_router.domain.threading import message_key

# ListSent answers with every record at once: 100,000 replies are ~20 MB.
MAX_MESSAGE = 256 * 1024 * 1024


def topic_values(bootstrap: str, topic: str) -> Iterator[bytes]:
    """Every record value of a topic, from the beginning to the end offsets seen now."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic)
                                                          or ())]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends = consumer.end_offsets(parts)
        pending = {tp for tp in parts if consumer.position(tp) < ends[tp]}
        while pending:
            for tp, records in consumer.poll(timeout_ms=1000, max_records=5000).items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record.value or b""
                if consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
    finally:
        consumer.close()


def _json_values(bootstrap: str, topic: str) -> Iterator[dict]:
    for value in topic_values(bootstrap, topic):
        try:
            yield json.loads(value)
        except ValueError:
            continue  # planted poison: judged from the dead-letter topic


def gateway_records(stack: IsolatedStack) -> dict[str, int]:
    options = [("grpc.max_receive_message_length", MAX_MESSAGE)]
    with grpc.insecure_channel(f"127.0.0.1:{stack.gateway_port}", options=options) as channel:
        answer = sandbox_pb2_grpc.SandboxControlStub(channel).ListSent(
            sandbox_pb2.ListSentRequest(), timeout=60)
    return {r.idempotency_key: r.attempts for r in answer.records}


def observe(stack: IsolatedStack, accepted: set[str], agent: AgentStats,
            poison: list[bytes]) -> Observed:
    """Everything ``reconcile`` judges, read after the stack has settled."""
    bootstrap = stack.kafka_bootstrap
    received: Counter[str] = Counter()
    for event in _json_values(bootstrap, stack.prefix + topics.MESSAGES_RECEIVED):
        m = event["message"]
        received[message_key(m["platform"], m["brand_account"], m["platform_message_id"])] += 1
    outcomes: dict[str, set[str]] = {}
    for topic, outcome in ((topics.REPLIES_SENT, "sent"), (topics.REPLIES_FAILED, "failed")):
        for event in _json_values(bootstrap, stack.prefix + topic):
            outcomes.setdefault(event["reply_id"], set()).add(outcome)
    dead = [DeadLetter(d["stage"], d["reason"], base64.b64decode(d["value_base64"]))
            for d in _json_values(bootstrap, stack.prefix + topics.DEADLETTER)]
    with MongoClient(stack.endpoints.mongo_url) as client:
        db = client[stack.database]
        stored = {m["_id"]: m["conversation_id"] for m in db.messages.find(
            {"direction": "inbound"}, {"conversation_id": 1})}
        conversations = {
            c["_id"]: (f"{c['platform']}:{c['brand_account']}:{c['customer_id']}",
                       list(c.get("message_keys", ())))
            for c in db.conversations.find(
                {}, {"platform": 1, "brand_account": 1, "customer_id": 1, "message_keys": 1})}
        replies = {r["_id"]: StoredReply(r["status"], r.get("failure_code"), r.get("reason"))
                   for r in db.replies.find({}, {"status": 1, "failure_code": 1, "reason": 1})}
    return Observed(
        accepted=accepted, received_keys=received, stored=stored, conversations=conversations,
        requested=set(agent.replies), replies=replies, gateway=gateway_records(stack),
        outcome_events=outcomes, dead_letters=dead, poison=list(poison))
