"""Kafka administration: topic creation at start-up and a health probe."""

import logging
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError
from tenacity import Retrying

from socialcare_contracts import topics
from socialcare_runtime.retries import retry_policy
from socialcare_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36


def ensure_topics(
    bootstrap: str, names: Iterable[str], partitions: int, replication_factor: int = 1,
    bootstrap_timeout_s: float = 30.0,
) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created.

    A topic whose contract declares settings (``topics.CONFIGS``, ``topics.PARTITIONS``;
    matched on the name without its prefix) gets them on creation, and an existing one is
    switched to them, so it does not matter which service starts first.
    """
    names = list(names)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="socialcare-admin",
                             bootstrap_timeout_ms=int(bootstrap_timeout_s * 1000))
    try:
        existing = set(admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            spec = {n: _creation_spec(n, partitions, replication_factor) for n in missing}
            result = admin.create_topics(spec, raise_errors=False, wait_for_metadata=True)
            failed = [t for t in result.get("topics", ())
                      if t.get("error_code") not in (0, TOPIC_ALREADY_EXISTS)]
            if failed:
                raise RuntimeError(f"could not create topics: {failed}")
            log.info("created topics %s", ", ".join(missing))
        reconfigure = [ConfigResource(ConfigResourceType.TOPIC, n, configs=configs)
                       for n in names if n in existing and (configs := _contract_configs(n))]
        if reconfigure:
            admin.alter_configs(reconfigure)
        return missing
    finally:
        admin.close()


def ensure_socialcare_topics(settings: ServiceSettings) -> list[str]:
    """Every SocialCare topic, with the configured prefix, partitions and replication.

    Waits up to ``kafka_startup_wait_s`` for a broker: a service started while Kafka
    restarts (a rolling upgrade, Compose bringing both up, a broker failure) waits for it
    instead of exiting into a restart loop.
    """
    deadline = time.monotonic() + settings.kafka_startup_wait_s

    def attempt() -> list[str]:
        # Each try is bounded too, so the whole wait is about what was configured.
        return ensure_topics(settings.kafka_bootstrap, [settings.topic(t) for t in topics.ALL],
                             settings.topic_partitions, settings.topic_replication_factor,
                             bootstrap_timeout_s=max(1.0, min(10.0, deadline - time.monotonic())))

    return Retrying(**retry_policy("Kafka not reachable yet", KafkaError, initial_s=0.5,
                                   max_s=5.0, give_up_after_s=settings.kafka_startup_wait_s)
                    )(attempt)


def _contract_topic(name: str) -> str | None:
    return next((t for t in topics.ALL if name.endswith(t)), None)


def _contract_configs(name: str) -> dict[str, str]:
    base = _contract_topic(name)
    return topics.CONFIGS.get(base, {}) if base else {}


def _creation_spec(name: str, partitions: int, replication_factor: int) -> dict[str, Any]:
    base = _contract_topic(name)
    return {"num_partitions": topics.PARTITIONS.get(base, partitions) if base else partitions,
            "replication_factor": replication_factor, "configs": _contract_configs(name)}


def kafka_reachable(bootstrap: str, timeout_s: float = 5.0) -> bool:
    """True when a broker answers a metadata request within the timeout."""

    def connect() -> KafkaAdminClient:
        return KafkaAdminClient(bootstrap_servers=bootstrap,
                                request_timeout_ms=int(timeout_s * 1000))

    try:
        # Quiet: callers poll this while a broker starts, failures are the expected answer.
        admin = Retrying(**retry_policy(f"Kafka at {bootstrap}", KafkaError, initial_s=0.2,
                                        max_s=1.0, give_up_after_s=timeout_s,
                                        level=logging.DEBUG))(connect)
    except KafkaError:
        return False
    try:
        admin.list_topics()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


def topic_names(bootstrap: str) -> set[str]:
    """Every topic the cluster has."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="socialcare-admin")
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def delete_topics(bootstrap: str, names: Iterable[str], batch: int = 200) -> int:
    """Deletes these topics, a batch per request (one request for thousands of partitions
    can outlast its timeout); returns how many were asked for."""
    names = sorted(names)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="socialcare-admin")
    try:
        for start in range(0, len(names), batch):
            try:
                admin.delete_topics(names[start:start + batch])
            except KafkaError as exc:  # one already gone must not keep the rest
                log.warning("deleting topics: %s", exc)
        return len(names)
    finally:
        admin.close()
