"""A batch's librdkafka delivery reports, polled until all are in, and derived event ids."""

import asyncio
import uuid

import pytest
from confluent_kafka import KafkaError

from socialcare_runtime.stream_batches import Deliveries, NotAcknowledged, current_deliveries
from socialcare_runtime.streams import derived_event_id

pytestmark = pytest.mark.unit


class FakeProducer:
    """Delivers the reports it is given when the batch polls it, as librdkafka's poll does."""

    def __init__(self, deliveries: Deliveries) -> None:
        self.deliveries = deliveries
        self.reports: list[KafkaError | None] = []
        self.polls = 0

    def serve_reports(self) -> None:
        self.polls += 1
        for error in self.reports:
            self.deliveries.delivered(error, None)
        self.reports.clear()


async def test_a_batch_polls_until_every_record_is_reported() -> None:
    with Deliveries() as deliveries:
        assert current_deliveries() is deliveries
        producer = FakeProducer(deliveries)
        for _ in range(3):
            deliveries.expect("t", producer)  # type: ignore[arg-type]
    assert current_deliveries() is None
    waiting = asyncio.ensure_future(deliveries.acknowledged())
    producer.reports += [None, None]
    await asyncio.sleep(0.01)
    assert not waiting.done(), "one record is still unacknowledged"
    producer.reports.append(None)
    await asyncio.wait_for(waiting, 1)
    assert deliveries.published == {"t": 3} and producer.polls > 2


async def test_one_failed_record_fails_the_batch_even_when_reported_early() -> None:
    deliveries = Deliveries()
    producer = FakeProducer(deliveries)
    deliveries.expect("t", producer)  # type: ignore[arg-type]
    deliveries.expect("t", producer)  # type: ignore[arg-type]
    producer.reports += [KafkaError(KafkaError._MSG_TIMED_OUT, "timed out"), None]
    with pytest.raises(NotAcknowledged, match="timed out"):
        await asyncio.wait_for(deliveries.acknowledged(), 1)


@pytest.mark.parametrize("stage", ["fast-v3", "sent", "ünïcode"])
def test_derived_ids_are_the_uuid5_ids_earlier_versions_emitted(stage: str) -> None:
    for _ in range(50):
        source = str(uuid.uuid4())
        assert derived_event_id(source, stage) == str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"socialcare:{stage}:{source}"))
