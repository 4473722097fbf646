"""Kafka producer clients side by side: the cost of publishing one ingest record.

    scripts/uv run --frozen python -m bench.ingest_producers --records 50000

Each client publishes the same encoded MessageReceived records (value, key and CloudEvents
headers, as the ingest publisher sends them) with the settings ingest needs: acks=all and
idempotence. It reports records/s until every record is acknowledged and the process CPU
time per record (the figure that counts when the two cores are shared). confluent-kafka
(librdkafka) is what the event publisher uses; kafka-python was its client before, and
aiokafka is what faust uses. Its topic is deleted afterwards.
"""

import argparse
import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from confluent_kafka import Producer
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from bench.common import console, new_run_id, table
from socialcare_contracts import cloudevents
from socialcare_contracts.events import MessageReceived
from socialcare_contracts.messages import NormalizedMessage
from socialcare_local.infra import ensure_infra

Record = tuple[bytes, bytes, list[tuple[str, bytes]]]


def records(run: str, count: int) -> list[Record]:
    """``count`` distinct encoded records, like the ones a Meta comment delivery becomes."""
    out = []
    for i in range(count):
        message = NormalizedMessage.model_validate({
            "platform": "facebook", "channel": "comment", "brand_account": "acmeshop",
            "platform_message_id": f"{run}_{i}", "thread_id": "2000_1",
            "author": {"id": f"c{i % 997}", "display_name": "Customer"},
            "text": "@acme where is my order? it's late",
            "created_at": datetime.now(UTC).isoformat(), "received_at": datetime.now(UTC)})
        value, headers = cloudevents.encode(MessageReceived(message=message), source="bench")
        out.append((value, f"facebook:acmeshop:c{i % 997}".encode(), headers))
    return out


def kafka_python(bootstrap: str, topic: str, batch: list[Record]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                             linger_ms=5, batch_size=512 * 1024)
    acked = [0]

    def ack(_: object) -> None:
        acked[0] += 1

    for value, key, headers in batch:
        producer.send(topic, value=value, key=key, headers=headers).add_both(ack)
    producer.flush(60)
    producer.close()
    assert acked[0] == len(batch)


def aiokafka(bootstrap: str, topic: str, batch: list[Record]) -> None:
    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                    enable_idempotence=True, linger_ms=5,
                                    max_batch_size=512 * 1024)
        await producer.start()
        try:
            futures = [await producer.send(topic, value=v, key=k, headers=h)
                       for v, k, h in batch]
            await asyncio.gather(*futures)
        finally:
            await producer.stop()

    asyncio.run(run())


def confluent(bootstrap: str, topic: str, batch: list[Record]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all",
                         "enable.idempotence": True, "linger.ms": 5})
    acked = [0]

    def ack(error: object, _: object) -> None:
        acked[0] += error is None

    for value, key, headers in batch:
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers, on_delivery=ack)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush(60)
    assert acked[0] == len(batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    endpoints = ensure_infra(console=console)
    run = new_run_id()
    topic = f"bench{run}.producers"
    admin = KafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap)
    admin.create_topics([NewTopic(topic, 6, 1)])
    clients: list[tuple[str, Callable[[str, str, list[Record]], None]]] = [
        ("kafka-python", kafka_python), ("aiokafka", aiokafka), ("confluent-kafka", confluent)]
    rows: list[tuple[str, object]] = []
    try:
        batch = records(run, args.records)
        for name, publish in clients:
            publish(endpoints.kafka_bootstrap, topic, batch[:1000])  # connections, metadata
            wall, cpu = time.perf_counter(), time.process_time()
            publish(endpoints.kafka_bootstrap, topic, batch)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rows += [(f"{name}: records/s, all acknowledged", len(batch) / wall),
                     (f"{name}: CPU µs per record", cpu * 1e6 / len(batch))]
            console.print(f"{name} done")
    finally:
        admin.delete_topics([topic])
        admin.close()
    table(f"producers, {args.records:,} records, acks=all, idempotent", rows)


if __name__ == "__main__":
    main()
