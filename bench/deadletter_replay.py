"""How fast the dead-letter topic is listed and replayed, on topics of its own.

Fills a fresh dead-letter topic with N records, then times ``list_deadletters`` and
``replay`` (re-publish and commit) and a second replay (nothing left), and deletes its
topics. ``python -m bench.deadletter_replay --records 20000``
"""

import argparse
import base64
import resource
import time
from datetime import UTC, datetime

from kafka import KafkaAdminClient, KafkaProducer

from bench.common import new_run_id, table
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import DeadLettered
from socialcare_local import deadletter
from socialcare_local.infra import ensure_infra
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.settings import ServiceSettings


def fill(settings: ServiceSettings, count: int) -> None:
    value = base64.b64encode(b'{"message": {"text": "about 300 bytes of a customer message"}}' * 5)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=5)
    for i in range(count):
        record = DeadLettered(
            reason="ValidationError: message.created_at: invalid datetime", stage="classify",
            service="socialcare-classifier", source_topic=settings.topic(topics.MESSAGES_RECEIVED),
            partition=i % 6, offset=i, key_base64=base64.b64encode(f"x:b:{i}".encode()).decode(),
            value_base64=value.decode(), headers={"ce_id": f"e{i}"},
            dead_lettered_at=datetime.now(UTC))
        data, headers = cloudevents.encode(record, source="bench")
        producer.send(settings.topic(topics.DEADLETTER), key=f"x:b:{i}".encode(), value=data,
                      headers=headers)
    producer.flush()
    producer.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.deadletter_replay")
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    bootstrap = ensure_infra().kafka_bootstrap
    settings = ServiceSettings(kafka_bootstrap=bootstrap, topic_prefix=f"bench{new_run_id()}.")
    names = [settings.topic(t) for t in topics.ALL]
    ensure_topics(bootstrap, names, partitions=6)
    try:
        fill(settings, args.records)
        started = time.perf_counter()
        listed, _ = deadletter.list_deadletters(settings)
        list_s = time.perf_counter() - started
        started = time.perf_counter()
        report = deadletter.replay(settings)
        replay_s = time.perf_counter() - started
        started = time.perf_counter()
        again = deadletter.replay(settings)
        again_s = time.perf_counter() - started
    finally:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        admin.delete_topics(names)
        admin.close()
    assert len(listed) == len(report.replayed) == args.records and not again.replayed
    table(f"dead-letter list and replay, {args.records:,} records", [
        ("list: records/s", args.records / list_s),
        ("replay (re-publish, acks=all, commit): records/s", args.records / replay_s),
        ("second replay, nothing left: s", f"{again_s:.2f}"),
        ("peak memory: MiB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    ])


if __name__ == "__main__":
    main()
