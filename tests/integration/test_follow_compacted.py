"""Reading a compacted configuration topic on the real Kafka: every record from the start,
and the signal once what was there at start has been applied (the CLIs wait for it before
they compare a new model with the active one)."""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from socialcare_runtime.compacted import follow_compacted

pytestmark = pytest.mark.integration


async def test_the_reader_applies_what_was_there_and_says_it_has_caught_up(
        kafka_bootstrap: str) -> None:
    topic = f"t{uuid.uuid4().hex[:10]}.compacted"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for key in (b"a", b"b", b"c"):
            await producer.send_and_wait(topic, b"v-" + key, key=key)
    finally:
        await producer.stop()

    seen: list[bytes] = []
    caught_up = asyncio.Event()
    reader = asyncio.create_task(follow_compacted(
        kafka_bootstrap, topic, lambda record: seen.append(record.value), caught_up))
    try:
        done, _ = await asyncio.wait({reader, asyncio.ensure_future(caught_up.wait())},
                                     timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert reader not in done, reader.exception()  # it follows for ever, never ends
        assert caught_up.is_set()
        assert sorted(seen) == [b"v-a", b"v-b", b"v-c"]
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
