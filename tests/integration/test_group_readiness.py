"""Consumer-group readiness as the supervisor and the fault suite read it, on real Kafka."""

import time
import uuid

import pytest
from kafka import KafkaConsumer

from socialcare_local.infra import Endpoints
from socialcare_local.services import GroupStable
from socialcare_runtime.kafka_admin import ensure_topics

pytestmark = pytest.mark.integration


def test_stable_members_names_who_is_in_the_group(infra: Endpoints,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = f"it-{uuid.uuid4().hex[:8]}."
    monkeypatch.setenv("SOCIALCARE_TOPIC_PREFIX", prefix)
    probe = GroupStable("readiness")
    assert probe.stable_members(infra) is None and not probe.ready(infra)  # no such group
    ensure_topics(infra.kafka_bootstrap, [prefix + "t"], 1, 1)
    consumer = KafkaConsumer(prefix + "t", bootstrap_servers=infra.kafka_bootstrap,
                             group_id=probe.group)
    try:
        deadline = time.monotonic() + 30
        while not (members := probe.stable_members(infra)) and time.monotonic() < deadline:
            consumer.poll(timeout_ms=200)
        assert members is not None and len(members) == 1
        assert probe.ready(infra)
        assert not GroupStable("readiness", members=2).ready(infra)
    finally:
        consumer.close()
