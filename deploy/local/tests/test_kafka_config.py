"""The generated broker configuration and cluster id."""

import base64
from pathlib import Path

import pytest

from socialcare_local.kafka_server import new_cluster_id, server_properties
from socialcare_local.paths import LocalPorts

pytestmark = pytest.mark.unit


def parse(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_single_node_kraft_on_loopback_with_the_configured_ports() -> None:
    props = parse(server_properties(LocalPorts(19092, 19093, 27019), Path("/state/kafka/data")))

    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["log.dirs"] == "/state/kafka/data"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_cluster_ids_are_16_random_bytes_in_url_safe_base64() -> None:
    ids = {new_cluster_id() for _ in range(200)}

    assert len(ids) == 200
    for cluster_id in ids:
        assert len(cluster_id) == 22 and not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_default_ports_are_the_usual_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA", "KAFKA_CONTROLLER", "MONGO"):
        monkeypatch.delenv(f"SOCIALCARE_LOCAL_{name}_PORT", raising=False)

    assert LocalPorts.from_env() == LocalPorts(9092, 9093, 27017)
