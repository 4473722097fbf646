"""Metric instruments and what RecordProcessor records, read back from an in-memory reader."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import TopicPartition
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.trace import NoOpTracer

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.events import MessageReceived
from socialcare_contracts.messages import NormalizedMessage
from socialcare_runtime.metrics import SocialcareMetrics, lag_by_topic
from socialcare_runtime.settings import ServiceSettings
from socialcare_runtime.streams import RecordProcessor, create_app

pytestmark = pytest.mark.unit


def points(reader: InMemoryMetricReader, name: str) -> list[tuple[dict, Any]]:
    """(attributes, value or histogram count) of every point of one metric."""
    found = []
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name == name:
                    found += [(dict(p.attributes), p.value if hasattr(p, "value") else p.count)
                              for p in metric.data.data_points]
    return found


@pytest.fixture
def reader() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
def instruments(reader: InMemoryMetricReader) -> SocialcareMetrics:
    return SocialcareMetrics(MeterProvider(metric_readers=[reader]).get_meter("test"))


def test_lag_counts_uncommitted_partitions_whole() -> None:
    ends = {TopicPartition("a", 0): 10, TopicPartition("a", 1): 5, TopicPartition("b", 0): 3}
    committed = {TopicPartition("a", 0): 7, TopicPartition("b", 0): 3}
    assert lag_by_topic(ends, committed) == {"a": 8, "b": 0}


def test_gauges_report_the_latest_readings(instruments: SocialcareMetrics,
                                           reader: InMemoryMetricReader) -> None:
    instruments.set_lag("g1", {"t1": 4, "t2": 0})
    instruments.set_lag("g1", {"t1": 2})
    instruments.set_lag("g2", {"t1": 9})
    instruments.set_queue_depth({"general": 12, "vip": 1})
    lag = {(a["group"], a["topic"]): v for a, v in points(reader, "socialcare.consumer.lag")}
    assert lag == {("g1", "t1"): 2, ("g2", "t1"): 9}
    depth = {a["queue"]: v for a, v in points(reader, "socialcare.queue.depth")}
    assert depth == {"general": 12, "vip": 1}


def test_service_instruments_carry_bounded_attributes(instruments: SocialcareMetrics,
                                                      reader: InMemoryMetricReader) -> None:
    instruments.sla_event("breached", "general")
    instruments.sla_event("breached", "general")
    instruments.gateway_error("x", "resource_exhausted")
    instruments.first_response_s(600, "general", "x")
    assert points(reader, "socialcare.sla.events") == [({"state": "breached",
                                                         "queue": "general"}, 2)]
    assert points(reader, "socialcare.gateway.errors") == [(
        {"platform": "x", "code": "resource_exhausted"}, 1)]
    assert points(reader, "socialcare.first_response.duration")[0][1] == 1


@dataclass
class FakeTopic:
    """Stands in for the faust dead-letter topic: keeps what would be sent."""

    sent: list = field(default_factory=list)

    async def send(self, **record: Any) -> None:
        self.sent.append(record)

    def get_topic_name(self) -> str:
        return topics.DEADLETTER


@dataclass
class Record:
    topic: str
    value: bytes
    headers: list
    key: bytes = b"k"
    partition: int = 0
    offset: int = 7


def received_record() -> Record:
    message = NormalizedMessage.model_validate({
        "platform": "x", "channel": "mention", "brand_account": "acme",
        "platform_message_id": "1", "author": {"id": "9"}, "text": "hi",
        "created_at": datetime.now(UTC).isoformat()})
    value, headers = cloudevents.encode(MessageReceived(message=message), source="test")
    return Record(topics.MESSAGES_RECEIVED, value, headers)


def test_processor_measures_every_outcome(instruments: SocialcareMetrics,
                                          reader: InMemoryMetricReader, tmp_path: Any) -> None:
    settings = ServiceSettings(stream_data_dir=str(tmp_path))
    processor = RecordProcessor(create_app("metrics-test", settings), settings, "svc",
                                NoOpTracer(), instruments=instruments)
    processor.deadletter_topic = FakeTopic()

    async def ok(envelope: Any) -> None:
        return None

    async def broken(envelope: Any) -> None:
        raise KeyError("queue")

    async def run() -> None:
        await processor.process(received_record(), MessageReceived, ok, "classify")
        await processor.process(received_record(), MessageReceived, broken, "classify")
        await processor.process(Record(topics.MESSAGES_RECEIVED, b"{", []), MessageReceived,
                                ok, "classify")

    asyncio.run(run())
    assert points(reader, "socialcare.messages.in") == [(
        {"topic": topics.MESSAGES_RECEIVED, "service": "svc"}, 3)]
    outcomes = {a["outcome"]: n for a, n in points(reader, "socialcare.processing.duration")}
    assert outcomes == {"ok": 1, "failed": 1, "invalid": 1}
    assert points(reader, "socialcare.deadletter.records") == [(
        {"stage": "classify", "service": "svc"}, 2)]
    assert len(processor.deadletter_topic.sent) == 2
