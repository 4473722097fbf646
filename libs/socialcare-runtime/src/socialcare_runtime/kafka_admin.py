"""Kafka administration: topic creation at start-up and a health probe."""

import logging
import time
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36


def ensure_topics(
    bootstrap: str, names: Iterable[str], partitions: int, replication_factor: int = 1
) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="socialcare-admin")
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if not missing:
            return []
        spec = {n: {"num_partitions": partitions, "replication_factor": replication_factor}
                for n in missing}
        result = admin.create_topics(spec, raise_errors=False, wait_for_metadata=True)
        failed = [t for t in result.get("topics", ())
                  if t.get("error_code") not in (0, TOPIC_ALREADY_EXISTS)]
        if failed:
            raise RuntimeError(f"could not create topics: {failed}")
        log.info("created topics %s", ", ".join(missing))
        return missing
    finally:
        admin.close()


def kafka_reachable(bootstrap: str, timeout_s: float = 5.0) -> bool:
    """True when a broker answers a metadata request within the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000)
            )
        except KafkaError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
            continue
        try:
            admin.list_topics()
            return True
        except KafkaError:
            return False
        finally:
            admin.close()
