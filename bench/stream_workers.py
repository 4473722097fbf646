"""CPU per message of the classifier and router stream workers working off a backlog.

    scripts/uv run --frozen --all-packages python -m bench.stream_workers \
        --stage classifier --messages 20000 [--repeat 2] [--profile /tmp/profiles]

Starts one worker process (``python -m socialcare_classifier`` or ``python -m
socialcare_router worker``) on a topic prefix (and, for the router, a database) of its own,
warms it up, then produces ``--messages`` records to its input topic at once (encoded
beforehand, sent by librdkafka, so the backlog is there within a second or two) and waits
until its consumer group has committed all of them. The figure is the worker process's CPU
time (user + system, from /proc) over that span divided by the messages: what other work
sharing the cores does not move, unlike messages/s, which is reported too. With
``--profile`` py-spy samples the worker over the same span (``--nonblocking``, so the worker
is never paused) and writes the collapsed stacks into that directory; ``python -m bench.pyspy_top``
prints their top entries. Tracing runs as deployed, without an exporter.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition

from bench.classifier_throughput import cpu_s, texts
from bench.common import console, message, new_run_id, table
from bench.pyspy_top import render
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    Classification,
    MessageClassified,
    MessageReceived,
    Sentiment,
)
from socialcare_contracts.messages import Contract, NormalizedMessage
from socialcare_runtime.kafka_admin import ensure_topics

PARTITIONS = 6
WARM_UP = PARTITIONS * 4
STAGES = {
    # stage: (worker command, consumer group without prefix, input topic)
    "classifier": (["-m", "socialcare_classifier"], "socialcare-classifier",
                   topics.MESSAGES_RECEIVED),
    "router": (["-m", "socialcare_router", "worker"], "socialcare-router",
               topics.MESSAGES_CLASSIFIED),
}


def record(stage: str, run: str, i: int, text: str) -> tuple[bytes, bytes, list]:
    """Key, value and headers of the ``i``-th input record of a stage.

    Customers repeat (``message`` draws authors from 997), so the router threads messages
    into existing conversations as well as opening new ones.
    """
    msg = NormalizedMessage.model_validate(message(run, i, text))
    data: Contract = MessageReceived(message=msg)
    if stage == "router":
        data = MessageClassified(message=msg, classification=Classification(
            language="en", language_confidence=0.9,
            sentiment=Sentiment(label="negative", score=-0.5),
            intents=("order_status",), priority=30, model_version="bench"))
    value, headers = cloudevents.encode(data, source="bench")
    return msg.conversation_key().encode(), value, headers


def committed_all(consumer: Consumer, topic: str, ends: dict[int, int]) -> bool:
    """True once the group's committed offset reached ``ends`` on every partition.

    A partition that never had a record has no committed offset (a negative one) either.
    """
    done = consumer.committed([TopicPartition(topic, p) for p in ends], timeout=10)
    return all(tp.offset >= ends[tp.partition] or not ends[tp.partition] for tp in done)


def end_offsets(consumer: Consumer, topic: str) -> dict[int, int]:
    return {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in range(PARTITIONS)}


def produce(producer: Producer, topic: str, records: list[tuple[bytes, bytes, list]]) -> None:
    for key, value, headers in records:
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers)
                break
            except BufferError:  # librdkafka's queue is full: let it drain
                producer.poll(0.05)
    producer.flush(60)


def wait_consumed(consumer: Consumer, topic: str, ends: dict[int, int], timeout_s: float
                  ) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if committed_all(consumer, topic, ends):
            return True
        time.sleep(0.1)
    return False


def run(bootstrap: str, mongo_url: str, stage: str, count: int, profile: Path | None
        ) -> list[tuple[str, object]]:
    """One measurement; returns the table rows."""
    run_id = new_run_id()
    prefix = f"bench{run_id}."
    command, group, source = STAGES[stage]
    topic = f"{prefix}{source}"
    ensure_topics(bootstrap, [f"{prefix}{t}" for t in topics.ALL], PARTITIONS)
    datadir = Path(tempfile.mkdtemp(prefix=f"{stage}-stream-bench-"))
    database = f"bench_streams_{run_id}"
    env = {**os.environ, "SOCIALCARE_KAFKA_BOOTSTRAP": bootstrap,
           "SOCIALCARE_TOPIC_PREFIX": prefix, "SOCIALCARE_TOPIC_PARTITIONS": str(PARTITIONS),
           "SOCIALCARE_STREAM_DATA_DIR": str(datadir), "SOCIALCARE_LOG_LEVEL": "WARNING",
           "SOCIALCARE_MONGO_URL": mongo_url, "SOCIALCARE_MONGO_DATABASE": database}
    samples = texts()
    warm = [record(stage, run_id, -1 - i, samples[i % len(samples)]) for i in range(WARM_UP)]
    backlog = [record(stage, run_id, i, samples[i % len(samples)]) for i in range(count)]
    worker = subprocess.Popen([sys.executable, *command], env=env,
                              stdout=(datadir / "worker.log").open("wb"),
                              stderr=subprocess.STDOUT)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all",
                         "partitioner": "murmur2_random"})
    # Only asks for committed offsets: never joins the group, never subscribes.
    watcher = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{prefix}{group}",
                        "enable.auto.commit": False})
    spy: subprocess.Popen | None = None
    try:
        produce(producer, topic, warm)
        if not wait_consumed(watcher, topic, end_offsets(watcher, topic), 180):
            raise RuntimeError(f"warm-up not consumed; worker log in {datadir}")
        time.sleep(2)  # the warm-up's produced events acknowledged, timers settled
        if profile is not None:
            spy = subprocess.Popen(
                [str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
                 str(worker.pid), "--nonblocking", "--rate", "200", "--format", "raw",
                 "--output", str(profile)], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            time.sleep(1)
        cpu_before, started = cpu_s(worker.pid), time.monotonic()
        produce(producer, topic, backlog)
        consumed = wait_consumed(watcher, topic, end_offsets(watcher, topic), 900)
        elapsed_s, cpu_used = time.monotonic() - started, cpu_s(worker.pid) - cpu_before
        if not consumed:
            console.print(f"[red]backlog not consumed in time[/red]; worker log in {datadir}")
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes the profile on SIGINT
            spy.wait(timeout=60)
        worker.terminate()
        worker.wait(timeout=30)
        watcher.close()
        if stage == "router":
            from pymongo import MongoClient

            with MongoClient(mongo_url) as client:
                client.drop_database(database)
    rows: list[tuple[str, object]] = [
        (f"{stage}: messages", f"{count:,}"),
        (f"{stage}: messages/s", count / elapsed_s),
        (f"{stage}: worker CPU µs per message", 1e6 * cpu_used / count),
    ]
    if profile is not None:
        console.print(render(profile.read_text()), markup=False)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=sorted(STAGES), nargs="+",
                        default=sorted(STAGES))
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", type=Path, default=None,
                        help="directory for py-spy's collapsed stacks, one file per run")
    parser.add_argument("--bootstrap", default=os.environ.get("SOCIALCARE_KAFKA_BOOTSTRAP",
                                                              "127.0.0.1:9092"))
    parser.add_argument("--mongo-url", default=os.environ.get("SOCIALCARE_MONGO_URL",
                                                              "mongodb://127.0.0.1:27017"))
    args = parser.parse_args()
    rows: list[tuple[str, object]] = []
    for stage in args.stage:
        for n in range(args.repeat):
            console.print(f"{stage}: {args.messages:,} messages, run {n + 1} ...")
            profile = None
            if args.profile is not None:
                args.profile.mkdir(parents=True, exist_ok=True)
                profile = args.profile / f"{stage}-{n + 1}.txt"
            measured = run(args.bootstrap, args.mongo_url, stage, args.messages, profile)
            console.print(", ".join(f"{k}: {v:,.1f}" if isinstance(v, float) else f"{k}: {v}"
                                    for k, v in measured))
            rows.extend(measured)
    table("stream workers working off a backlog", rows)


if __name__ == "__main__":
    main()
