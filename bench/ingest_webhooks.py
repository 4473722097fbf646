"""Ingest front door: signed webhook deliveries/s, latency at a fixed rate, import msgs/s.

    scripts/uv run --frozen python -m bench.ingest_webhooks --seconds 10 --rate 1000

Starts one ingest process of its own (own port and topic prefix, rate limit raised so the
token bucket does not cap the measurement) against the running Kafka, and offers signed
Meta comment deliveries over keep-alive connections (``bench.raw_http``): first as fast as
it answers (deliveries acknowledged by Kafka per second), then open-loop at a fixed rate
(p50/p99 of each request). Then it
imports a generated TWCS CSV with the bulk importer. Its topics are deleted afterwards.
"""

import argparse
import asyncio
import gc
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import uvloop
from kafka import KafkaAdminClient

from bench.common import console, new_run_id, percentile, table, wait_until
from bench.raw_http import Connection, Pool, post_request
from socialcare_ingest.bootstrap import connect_import_publisher
from socialcare_ingest.importer import Importer, checkpoint_path
from socialcare_ingest.settings import IngestSettings
from socialcare_local.infra import ensure_infra

SECRET = "bench-meta-secret"
PAGE = "2000"


def delivery(run: str, i: int) -> tuple[bytes, dict[str, str]]:
    """A signed Meta Page comment, unique per ``i``."""
    body = json.dumps({"object": "page", "entry": [{"id": PAGE, "time": int(time.time()),
        "changes": [{"field": "feed", "value": {
            "from": {"id": f"c{i % 997}", "name": "Customer"}, "item": "comment",
            "verb": "add", "post_id": f"{PAGE}_1", "comment_id": f"{run}_{i}",
            "message": "@acme where is my order? it's late", "created_time": int(time.time())}}],
    }]}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": signature, "content-type": "application/json"}


def deliveries(target: tuple[str, int, str], run: str, count: int) -> list[bytes]:
    """``count`` signed deliveries, encoded before the clock starts: the load generator
    shares the cores with ingest, so the less it does while measuring, the truer the figure."""
    return [post_request(*target, *delivery(run, i)) for i in range(count)]


async def saturate(target: tuple[str, int, str], run: str, seconds: float, concurrency: int,
                   expected_rate: float = 4000) -> tuple[int, int]:
    """(accepted, other) answers while ``concurrency`` clients send back to back."""
    counts = {"ok": 0, "other": 0}
    prepared = deliveries(target, run, int(seconds * expected_rate))
    deadline = time.perf_counter() + seconds
    sequence = iter(range(10**9))

    async def client() -> None:
        connection = await Connection.open(target[0], target[1])
        try:
            while time.perf_counter() < deadline:
                i = next(sequence)
                request = prepared[i] if i < len(prepared) else post_request(
                    *target, *delivery(run, i))
                counts["ok" if await connection.send(request) == 200 else "other"] += 1
        finally:
            connection.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return counts["ok"], counts["other"]


async def fixed_rate(target: tuple[str, int, str], run: str, seconds: float,
                     rate: float) -> tuple[list[float], int]:
    """Open loop: one delivery every 1/rate s whatever the answers; latencies in ms."""
    latencies: list[float] = []
    failed = 0
    prepared = deliveries(target, run, int(seconds * rate))
    pool = Pool(target[0], target[1], limit=512)

    async def one(request: bytes) -> None:
        nonlocal failed
        started = time.perf_counter()
        if await pool.send(request) == 200:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            failed += 1

    tasks = []
    start = time.perf_counter()
    try:
        for i, request in enumerate(prepared):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(request)))
        await asyncio.gather(*tasks)
    finally:
        pool.close()
    return latencies, failed


def twcs(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("tweet_id,author_id,inbound,created_at,text,response_tweet_id,"
                "in_response_to_tweet_id\n")
        for i in range(1, rows + 1):
            if i % 2:
                f.write(f"{i},{100000 + i % 5000},True,Tue Oct 31 22:10:47 +0000 2017,"
                        f"@acmeshop my order {i} is late,{i + 1},\n")
            else:
                f.write(f"{i},acmeshop,False,Tue Oct 31 22:11:47 +0000 2017,"
                        f"@{100000 + (i - 1) % 5000} sorry! we are on it ^JJ,,{i - 1}.0\n")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    endpoints = ensure_infra(console=console)
    run = new_run_id()
    prefix = f"bench{run}."
    port = free_port()
    env = os.environ | {"SOCIALCARE_KAFKA_BOOTSTRAP": endpoints.kafka_bootstrap,
                        "SOCIALCARE_TOPIC_PREFIX": prefix, "SOCIALCARE_INGEST_PORT": str(port),
                        "SOCIALCARE_META_APP_SECRETS": json.dumps([SECRET]),
                        "SOCIALCARE_META_WEBHOOK_ACCOUNTS": json.dumps({PAGE: "acmeshop"}),
                        "SOCIALCARE_INGEST_RATE_PER_S": "1000000",
                        "SOCIALCARE_INGEST_RATE_BURST": "1000000",
                        "SOCIALCARE_LOG_LEVEL": "WARNING"}
    ingest = subprocess.Popen([sys.executable, "-m", "socialcare_ingest"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = ("127.0.0.1", port, "/webhooks/meta")
    rows: list[tuple[str, object]] = []
    try:
        def ready() -> bool:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz").status == 200
            except OSError:
                return False

        if not wait_until(ready, 60, 0.2):
            raise SystemExit("ingest did not become ready")
        uvloop.run(saturate(target, f"warm{run}", 2, 16))
        cpu = cpu_seconds(ingest.pid)
        ok, other = uvloop.run(saturate(target, run, args.seconds, args.concurrency))
        # The load generator and Kafka share the cores with ingest: its own CPU time per
        # delivery says what one ingest core sustains.
        cpu_us = (cpu_seconds(ingest.pid) - cpu) * 1e6 / max(ok, 1)
        rows += [(f"deliveries accepted/s (saturated, {args.concurrency} clients)",
                  ok / args.seconds), ("non-200 answers while saturated", float(other)),
                 ("ingest CPU µs per delivery", cpu_us),
                 ("deliveries/s one ingest core sustains (1 s / CPU per delivery)",
                  1e6 / cpu_us)]
        latencies, failed = uvloop.run(fixed_rate(target, f"r{run}", args.seconds, args.rate))
        rows += [(f"offered rate (deliveries/s, {args.seconds:.0f} s)", args.rate),
                 ("accepted at that rate", float(len(latencies))),
                 ("failed at that rate", float(failed)),
                 ("p50 ms", percentile(latencies, 0.50)), ("p99 ms", percentile(latencies, 0.99)),
                 ("ingest peak RSS MiB", peak_rss_mib(ingest.pid))]
    finally:
        ingest.terminate()
        ingest.wait(10)

    settings = IngestSettings(kafka_bootstrap=endpoints.kafka_bootstrap, topic_prefix=prefix)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "twcs.csv"
        twcs(source, args.import_rows)
        publisher = connect_import_publisher(settings, "bench-import")
        importer = Importer(publisher, prefix, batch_size=2000)
        gc.freeze()  # as the import command does
        started, cpu = time.perf_counter(), time.process_time()
        progress = asyncio.run(importer.run(source, "twcs", checkpoint_path(source, None)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        publisher.close()
    rows += [("imported messages", float(progress.accepted)),
             ("import msgs/s", progress.accepted / elapsed),
             ("import CPU µs per message", cpu * 1e6 / max(progress.accepted, 1))]
    table("ingest front door", rows)
    admin = KafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    try:
        admin.delete_topics([t for t in admin.list_topics() if t.startswith(prefix)])
    finally:
        admin.close()


if __name__ == "__main__":
    main()
