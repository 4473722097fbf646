"""The spike benchmark's sampler and raw round trip against the real broker."""

import os
import time
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from bench.spike.raw_kafka import round_trip
from bench.spike.samplers import Sampler

pytestmark = pytest.mark.integration


def test_lag_and_processed_records_follow_committed_and_end_offsets(
        kafka_bootstrap: str) -> None:
    topic, group = f"spike-test-{uuid.uuid4().hex[:8]}", f"spike-test-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1)])
    try:
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
        for i in range(30):
            producer.send(topic, value=b"m", partition=i % 2)
        producer.flush()
        producer.close()
        consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group,
                                 enable_auto_commit=False)
        # The group has handled 10 records of partition 0 and none of partition 1.
        consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(10, "", -1)})
        consumer.close()
        sampler = Sampler(kafka_bootstrap, {"in": topic}, {"worker": group}, {"worker": "in"},
                          {"me": os.getpid()}, time.perf_counter(), interval_s=0.2).start()
        deadline = time.monotonic() + 30
        while len(sampler.samples) < 3 and time.monotonic() < deadline:
            sum(range(10_000))  # busy, so this process's CPU time shows in the samples
        samples = sampler.stop()
    finally:
        admin.delete_topics([topic])
        admin.delete_groups([group])
        admin.close()

    assert len(samples) >= 2
    last = samples[-1]
    assert last.ends == {"in": 30}
    assert last.committed == {"worker": 10}
    assert last.lag == {"worker": 20}  # 5 left on partition 0, all 15 of partition 1
    assert last.rss["me"] > 10 * 1024 * 1024
    assert last.cpu["me"] > 10  # percent of one core: the loop above kept it busy
    assert [s.t for s in samples] == sorted(s.t for s in samples)


def test_the_raw_round_trip_gets_every_record_back(kafka_bootstrap: str) -> None:
    measured = round_trip(kafka_bootstrap, 2000, record_bytes=100, partitions=2)

    assert measured.records == 2000
    assert 0 < measured.produce_s <= measured.round_trip_s
    assert measured.rate > 100
