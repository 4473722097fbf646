"""Settings that cannot break the pipeline, and events from a newer producer, against a real
classifier worker and the real Kafka.

The admin API refuses every taxonomy a worker could not use, with the reason and nothing
published. A bad record that reaches the rules topic anyway (by hand, an older version)
is ignored by the worker, which keeps the brand's last good taxonomy. A received message
with an added field and new enum values is classified, not dead-lettered.
"""

import json

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer

from socialcare_classifier.admin_api import create_api
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import (
    ClassifierRulesChanged,
    MessageClassified,
    MessageReceived,
)
from socialcare_contracts.messages import Author, NormalizedMessage
from tests.integration.test_classifier_workers import ADMIN, T0, Workers, by_message
from tests.integration.test_classifier_workers import workers as workers  # noqa: F401

pytestmark = pytest.mark.integration
URL = "/v1/brands/acmeshop/taxonomy"
MODEL = {"kind": "naive_bayes", "alpha": 0.3, "class_docs": {"a": 3, "b": 2},
         "feature_counts": {"a": {"w:refund": 2}, "b": {"w:thanks": 1}}}


def records(workers: Workers, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(workers.settings.topic(topic),
                             bootstrap_servers=workers.settings.kafka_bootstrap,
                             auto_offset_reset="earliest", group_id=None,
                             consumer_timeout_ms=1500)
    try:
        return [record.value for record in consumer]
    finally:
        consumer.close()


@pytest.mark.parametrize("body, words", [
    ({"model": {**MODEL, "class_docs": {"a": 0}}}, "greater than or equal to 1"),
    ({"model": {**MODEL, "alpha": 0}}, "greater than 0"),
    ({"model": {**MODEL, "class_docs": {}}}, "at least 1 item"),
    ({"keywords": {"a": ["refund"]}, "min_confidence": "nan"}, "number"),
    ({"keywords": {"a": ["refund"]}, "min_confidence": 5}, "less than or equal to 1"),
    ({"keywords": {"refunds": "refund"}}, "valid list"),
    ({"keywords": {"a\u0000": ["refund"]}}, "U+0000"),
])
def test_admin_api_refuses_a_taxonomy_no_worker_could_use(
        workers: Workers, body: dict, words: str) -> None:
    with TestClient(create_api(workers.settings)) as api:
        answer = api.put(URL, json=body, headers=ADMIN)
    assert answer.status_code == 422 and words in answer.text, answer.text
    assert records(workers, topics.CLASSIFIER_RULES) == []


def test_a_worker_keeps_its_last_good_taxonomy_and_reads_newer_events(workers: Workers
                                                                      ) -> None:
    good = BrandTaxonomy("acmeshop", keywords=(("loyalty", ("reward points",)),))
    with TestClient(create_api(workers.settings)) as api:
        assert api.put(URL, json={"keywords": {"loyalty": ["reward points"]}},
                       headers=ADMIN).status_code == 202
    # Then, straight to Kafka, what the API would refuse: an empty model, and not an event.
    bad = ClassifierRulesChanged(brand="acmeshop", version="by-hand", changed_at=T0,
                                 taxonomy={"model": {**MODEL, "class_docs": {}}})
    value, headers = cloudevents.encode(bad, source="by-hand")
    rules_topic = workers.settings.topic(topics.CLASSIFIER_RULES)
    workers.producer.send(rules_topic, key=b"acmeshop", value=value, headers=headers)
    workers.producer.send(rules_topic, key=b"acmeshop", value=b"{garbage", headers=headers)
    workers.start()

    # A received message from a newer producer: added fields, a new platform and channel.
    workers.send(1, "my reward points disappeared")
    message = NormalizedMessage(platform="x", channel="mention", brand_account="acmeshop",
                                platform_message_id="m2", author=Author(id="c1"),
                                text="my reward points disappeared", created_at=T0)
    value, headers = cloudevents.encode(MessageReceived(message=message), source="newer")
    newer = json.loads(value)
    newer["schema_hint"] = {"added": True}
    newer["message"].update(platform="tiktok", channel="duet", mood="cross")
    workers.producer.send(workers.settings.topic(topics.MESSAGES_RECEIVED),
                          key=b"tiktok:acmeshop:c1", value=json.dumps(newer).encode(),
                          headers=headers)

    events = by_message(workers.read(topics.MESSAGES_CLASSIFIED, MessageClassified, 2, 90))
    assert set(events) == {"m1", "m2"}
    for classified in (events["m1"][0].data, events["m2"][0].data):
        assert classified.classification.categories == ("loyalty",)  # the last good one
        assert classified.classification.model_version.endswith(good.version)
    assert events["m2"][0].data.message.platform == "tiktok"  # passed on as sent
    # A worker classifies only once it has read the rules topic to its end, so both bad
    # records were read by now; each is logged as ignored, neither became the taxonomy.
    log = (workers.tmp / "worker0.log").read_text()
    assert log.count("ignored, the previous ones stay active") >= 2, log[-2000:]
    # Both received messages are accounted for as classified, and the rules feed never
    # dead-letters: no dead letter can still be on its way, so none is there now.
    assert records(workers, topics.DEADLETTER) == []
