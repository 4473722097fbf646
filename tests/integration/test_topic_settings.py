"""Topics get the settings their contract declares, whichever service creates them first."""

import uuid
from collections.abc import Iterator

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from socialcare_contracts import topics
from socialcare_runtime.kafka_admin import ensure_topics

pytestmark = pytest.mark.integration


@pytest.fixture
def admin(kafka_bootstrap: str) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    yield client
    client.close()


def configs(admin: KafkaAdminClient, name: str) -> dict[str, str]:
    found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    return {k: v["value"] for k, v in found["topic"][name].items()}


def partitions(admin: KafkaAdminClient, name: str) -> int:
    return len(admin.describe_topics([name])[0]["partitions"])


def test_a_created_topic_gets_its_contract_settings(kafka_bootstrap: str,
                                                    admin: KafkaAdminClient) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    rules, received = prefix + topics.CLASSIFIER_RULES, prefix + topics.MESSAGES_RECEIVED
    created = ensure_topics(kafka_bootstrap, [rules, received], partitions=3)
    assert set(created) == {rules, received}
    assert configs(admin, rules)["cleanup.policy"] == "compact"
    assert configs(admin, rules)["max.message.bytes"] == str(topics.RULES_MAX_RECORD_BYTES)
    assert partitions(admin, rules) == 1 and partitions(admin, received) == 3
    assert configs(admin, received).get("cleanup.policy", "delete") == "delete"


def test_an_existing_plain_topic_is_switched_to_its_contract_settings(
        kafka_bootstrap: str, admin: KafkaAdminClient) -> None:
    rules = f"t{uuid.uuid4().hex[:8]}.{topics.CLASSIFIER_RULES}"
    admin.create_topics({rules: {"num_partitions": 2, "replication_factor": 1}},
                        wait_for_metadata=True)
    assert configs(admin, rules).get("cleanup.policy", "delete") == "delete"
    assert ensure_topics(kafka_bootstrap, [rules], partitions=6) == []
    assert configs(admin, rules)["cleanup.policy"] == "compact"
