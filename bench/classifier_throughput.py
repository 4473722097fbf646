"""Classifier throughput through Kafka: messages/s by one and by two workers, p99 latency, memory.

``python -m bench.classifier_throughput --messages 5000`` starts classifier worker processes on
a fresh topic prefix, warms them up, produces the messages as fast as Kafka takes them and
reads every classified event back. Throughput is messages over the time from the first
received record to the last classified one; the workers' CPU time per message is what
other work sharing the cores does not move. Latency is each classified record's Kafka
timestamp minus its received record's (both stamped on this machine).
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from bench.common import console, message, new_run_id, percentile, table
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import MessageClassified, MessageReceived
from socialcare_contracts.messages import NormalizedMessage
from socialcare_runtime.kafka_admin import ensure_topics

PARTITIONS = 6


def texts() -> list[str]:
    """The shipped eval set's messages: nine languages, every intent, real lengths."""
    source = files("socialcare_classifier.data").joinpath("eval_messages.csv")
    with source.open(encoding="utf-8", newline="") as f:
        return [r["text"] for r in csv.DictReader(f)]


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """CPU time (user + system) a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(bootstrap: str, workers: int, count: int) -> list[tuple[str, object]]:
    """One measurement with ``workers`` processes; returns the table rows."""
    run_id = new_run_id()
    prefix = f"bench{run_id}."
    ensure_topics(bootstrap, [f"{prefix}{t}" for t in topics.ALL], PARTITIONS)
    env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": bootstrap,
           "SOCIALCARE_TOPIC_PREFIX": prefix, "SOCIALCARE_TOPIC_PARTITIONS": str(PARTITIONS),
           "SOCIALCARE_STREAM_DATA_DIR": tempfile.mkdtemp(prefix="classifier-bench-"),
           "SOCIALCARE_LOG_LEVEL": "WARNING"}
    logs = Path(env["SOCIALCARE_STREAM_DATA_DIR"])
    procs = [subprocess.Popen([sys.executable, "-m", "socialcare_classifier"], env=env,
                              stdout=(logs / f"worker{n}.log").open("wb"),
                              stderr=subprocess.STDOUT)
             for n in range(workers)]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                             batch_size=256 * 1024)
    consumer = KafkaConsumer(f"{prefix}{topics.MESSAGES_CLASSIFIED}", bootstrap_servers=bootstrap,
                             group_id=None, auto_offset_reset="earliest",
                             consumer_timeout_ms=500, max_poll_records=2000)
    samples = texts()

    def send(i: int) -> None:
        data = MessageReceived(message=NormalizedMessage.model_validate(
            message(run_id, i, samples[i % len(samples)])))
        value, headers = cloudevents.encode(data, source="bench")
        producer.send(f"{prefix}{topics.MESSAGES_RECEIVED}",
                      key=data.message.conversation_key().encode(), value=value, headers=headers)

    def drain(wanted: set[str], timeout_s: float) -> dict[str, int]:
        """Classified-record timestamps of the wanted message ids, as they arrive."""
        found: dict[str, int] = {}
        deadline = time.monotonic() + timeout_s
        while len(found) < len(wanted) and time.monotonic() < deadline:
            for record in consumer:
                event = cloudevents.decode(record.value, record.headers, MessageClassified)
                mid = event.data.message.platform_message_id
                if mid in wanted:
                    found[mid] = record.timestamp
        return found

    try:
        # Warm-up: every worker joined and its partitions assigned before timing starts.
        warm = PARTITIONS * 4
        for i in range(warm):
            send(-1 - i)
        producer.flush()
        drain({f"{run_id}--{i + 1}" for i in range(warm)}, 120)
        time.sleep(2)
        cpu_before = sum(cpu_s(p.pid) for p in procs)
        sent_at: dict[str, int] = {}
        for i in range(count):
            sent_at[f"{run_id}-{i}"] = int(time.time() * 1000)
            send(i)
        producer.flush()
        seen = drain(set(sent_at), 300)
        cpu_used = sum(cpu_s(p.pid) for p in procs) - cpu_before
        if len(seen) < count:
            console.print(f"[red]{count - len(seen)} not classified[/red]; worker logs in {logs}")
        elapsed_s = (max(seen.values()) - min(sent_at.values())) / 1000
        latencies = [seen[m] - sent_at[m] for m in seen]
        memory = [peak_rss_mib(p.pid) for p in procs]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        producer.close()
        consumer.close()
    return [
        (f"{workers} worker(s): classified", f"{len(seen):,} / {count:,}"),
        (f"{workers} worker(s): messages/s", len(seen) / elapsed_s),
        # The wall figure moves with whatever else shares the cores; CPU per message does not.
        (f"{workers} worker(s): worker CPU µs per message", 1e6 * cpu_used / max(1, len(seen))),
        (f"{workers} worker(s): latency p50 ms", percentile(latencies, 0.5)),
        (f"{workers} worker(s): latency p99 ms", percentile(latencies, 0.99)),
        (f"{workers} worker(s): peak memory per worker MiB", max(memory)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--bootstrap", default=os.environ.get("SOCIALCARE_KAFKA_BOOTSTRAP",
                                                              "127.0.0.1:9092"))
    args = parser.parse_args()
    rows: list[tuple[str, object]] = []
    for n in args.workers:
        console.print(f"measuring {n} worker(s), {args.messages:,} messages ...")
        rows.extend(run(args.bootstrap, n, args.messages))
    table("classifier throughput through Kafka", rows)


if __name__ == "__main__":
    main()
