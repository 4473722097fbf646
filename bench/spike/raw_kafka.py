"""The broker's own round trip, for scale: produce -> consume with the stack's clients.

Same broker, same libraries (kafka-python's producer as ingest uses it, aiokafka as the
faust workers consume), no processing: the pipeline's throughput as a share of this
compares across machines.
"""

import asyncio
import time
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic


@dataclass(frozen=True)
class RoundTrip:
    records: int
    record_bytes: int
    produce_s: float
    round_trip_s: float

    @property
    def rate(self) -> float:
        """Records produced and consumed back per second."""
        return self.records / self.round_trip_s


def round_trip(bootstrap: str, records: int, record_bytes: int = 700,
               partitions: int = 6) -> RoundTrip:
    """Produces ``records`` to a fresh topic while consuming them back; deletes the topic."""
    topic = f"bench-raw-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, partitions, 1)])
    try:
        _wait_for_leaders(admin, topic, partitions)
        return asyncio.run(_measure(bootstrap, topic, records, record_bytes, partitions))
    finally:
        admin.delete_topics([topic])
        admin.close()


def _wait_for_leaders(admin: KafkaAdminClient, topic: str, partitions: int) -> None:
    """Until every partition of a new topic has a leader: clients would only retry and warn."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        described = admin.describe_topics([topic])[0].get("partitions") or ()
        if len(described) == partitions and all(p["leader_id"] >= 0 for p in described):
            return
        time.sleep(0.2)


async def _measure(bootstrap: str, topic: str, records: int, record_bytes: int,
                   partitions: int) -> RoundTrip:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    assigned = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(assigned)
    await consumer.seek_to_beginning(*assigned)
    value = b"x" * record_bytes
    started = time.perf_counter()
    producing = asyncio.create_task(asyncio.to_thread(_produce, bootstrap, topic, records,
                                                      value))
    seen = 0
    try:
        while seen < records:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            seen += sum(len(batch) for batch in batches.values())
            if time.perf_counter() - started > 300:
                raise TimeoutError(f"raw round trip: {seen}/{records} back after 300 s")
        finished = time.perf_counter()
        produce_s = await producing
    finally:
        await consumer.stop()
    return RoundTrip(records, record_bytes, produce_s, finished - started)


def _produce(bootstrap: str, topic: str, records: int, value: bytes) -> float:
    # Ingest's producer settings (socialcare_runtime.publisher): acks from all, idempotent.
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                             linger_ms=2, batch_size=64 * 1024)
    started = time.perf_counter()
    for i in range(records):
        producer.send(topic, key=str(i % 997).encode(), value=value)
    producer.flush()
    producer.close()
    return time.perf_counter() - started
