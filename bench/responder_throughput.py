"""Replies per second through one responder to the sandbox gateway, and what gRPC costs.

Starts its own sandbox gateway and responder processes (own topic prefix and database,
so a running stack is untouched), offers N reply requests at once, and reads the sent
events back: throughput, request → sent latency (both stamped on this machine), the
responder's peak memory, and the bare gRPC SendReply round trip for comparison.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import grpc
from kafka import KafkaConsumer, KafkaProducer
from pymongo import MongoClient

from bench.common import console, new_run_id, percentile, table
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import ReplyKind, ReplyRequested, ReplySent
from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_contracts.messages import Platform
from socialcare_local.infra import ensure_infra
from socialcare_runtime.kafka_admin import ensure_topics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def grpc_overhead(target: str, calls: int) -> list[float]:
    """Round trips of SendReply to the sandbox, each a new key, in milliseconds."""
    with grpc.insecure_channel(target) as channel:
        stub = gateway_pb2_grpc.PlatformGatewayStub(channel)
        times = []
        for i in range(calls):
            start = time.perf_counter()
            stub.SendReply(gateway_pb2.SendReplyRequest(
                idempotency_key=f"overhead-{uuid.uuid4().hex}", brand_account="bench",
                in_reply_to_message_id=str(i), text="ping"), timeout=5)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=1000)
    args = parser.parse_args()
    endpoints = ensure_infra(console=console)
    run = new_run_id()
    prefix, database, port = f"bench{run}.", f"bench_{run}", free_port()
    env = {**os.environ, "SOCIALCARE_TOPIC_PREFIX": prefix, "SOCIALCARE_MONGO_DATABASE": database,
           "SOCIALCARE_KAFKA_BOOTSTRAP": endpoints.kafka_bootstrap,
           "SOCIALCARE_MONGO_URL": endpoints.mongo_url, "SOCIALCARE_GATEWAY_PORT": str(port),
           "SOCIALCARE_GATEWAYS": f'{{"*": "127.0.0.1:{port}"}}',
           "SOCIALCARE_STREAM_DATA_DIR": tempfile.mkdtemp(), "SOCIALCARE_LOG_LEVEL": "WARNING"}
    ensure_topics(endpoints.kafka_bootstrap, [f"{prefix}{t}" for t in topics.ALL], 6)
    procs = [subprocess.Popen([sys.executable, "-m", module, *extra], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for module, extra in (("socialcare_gateways", ["sandbox"]),
                                   ("socialcare_responder", []))]
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap, acks="all",
                             linger_ms=5)
    consumer = KafkaConsumer(f"{prefix}{topics.REPLIES_SENT}",
                             bootstrap_servers=endpoints.kafka_bootstrap,
                             auto_offset_reset="earliest", group_id=None,
                             consumer_timeout_ms=500)
    try:
        grpc.channel_ready_future(grpc.insecure_channel(f"127.0.0.1:{port}")).result(timeout=30)
        overhead = grpc_overhead(f"127.0.0.1:{port}", 500)

        def offer(n: int, tag: str) -> None:
            for i in range(n):
                reply = ReplyRequested(
                    reply_id=f"{tag}-{i}", conversation_id=f"{tag}-c{i % 64}",
                    platform=Platform.X, brand_account="bench", kind=ReplyKind.PUBLIC,
                    in_reply_to_id=str(i), recipient_id="c", text="We're on it", agent_id="a",
                    requested_at=datetime.now(UTC))
                value, headers = cloudevents.encode(reply, source="bench")
                producer.send(f"{prefix}{topics.REPLIES_REQUESTED}",
                              key=reply.conversation_id.encode(), value=value, headers=headers)
            producer.flush()

        def collect(n: int, tag: str, timeout_s: float) -> list[ReplySent]:
            got: dict[str, ReplySent] = {}
            deadline = time.monotonic() + timeout_s
            while len(got) < n and time.monotonic() < deadline:
                for record in consumer:
                    sent = cloudevents.decode(record.value, record.headers, ReplySent).data
                    if sent.reply_id.startswith(tag):
                        got[sent.reply_id] = sent
            return list(got.values())

        offer(20, "warm")  # the responder joins its group and asks capabilities first
        collect(20, "warm", 90)
        start = time.time()  # compared with sent_at, a wall-clock stamp
        offer(args.replies, "run")
        sent = collect(args.replies, "run", 120)
        elapsed = max(s.sent_at for s in sent).timestamp() - start if sent else 0.0
        latency = [(s.sent_at - s.requested_at).total_seconds() * 1000 for s in sent]
        table("responder → sandbox gateway", [
            ("replies offered", float(args.replies)),
            ("replies sent", float(len(sent))),
            ("replies sent per second", len(sent) / elapsed if elapsed else 0.0),
            ("request → sent p50 ms", percentile(latency, 0.5) if latency else 0.0),
            ("request → sent p99 ms", percentile(latency, 0.99) if latency else 0.0),
            ("gRPC SendReply alone p50 ms", percentile(overhead, 0.5)),
            ("gRPC SendReply alone p99 ms", percentile(overhead, 0.99)),
            ("responder peak RSS MiB", peak_rss_mib(procs[1].pid)),
        ])
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=15)
        consumer.close()
        producer.close()
        with MongoClient(endpoints.mongo_url) as client:
            client.drop_database(database)


if __name__ == "__main__":
    main()
