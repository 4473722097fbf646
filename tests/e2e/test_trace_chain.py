"""One trace from the webhook to the platform reply, across every service process.

The stack exports by OTLP to a gRPC receiver in this test that keeps the spans in memory;
a customer message goes in through ingest, an agent replies through the inbox API, and
one trace id must hold spans from every hop.
"""

import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent import futures
from datetime import UTC, datetime

import grpc
import httpx
import pytest
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from pymongo import MongoClient

from socialcare_local.infra import Endpoints
from tests.e2e.stack import Stack, eventually, free_port, running_stack

pytestmark = pytest.mark.e2e
EVERY_HOP = {"socialcare-ingest", "socialcare-classifier", "socialcare-router-worker",
             "socialcare-router-api", "socialcare-responder", "socialcare-gateway-sandbox"}


class SpanStore(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP trace receiver that keeps (service, span name) per trace id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.traces: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def Export(self, request, context):  # noqa: N802 - gRPC method name
        with self._lock:
            for resource_spans in request.resource_spans:
                service = next((a.value.string_value for a in resource_spans.resource.attributes
                                if a.key == "service.name"), "?")
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.traces[span.trace_id.hex()].add((service, span.name))
        return trace_service_pb2.ExportTraceServiceResponse()

    def services_of(self, trace_id: str) -> set[str]:
        with self._lock:
            return {service for service, _ in self.traces.get(trace_id, ())}

    def trace_of(self, service: str, span_name: str) -> str | None:
        with self._lock:
            return next((t for t, spans in self.traces.items()
                         if (service, span_name) in spans), None)


class MetricSink(metrics_service_pb2_grpc.MetricsServiceServicer):
    """Accepts the services' metric exports so they do not log failures."""

    def Export(self, request, context):  # noqa: N802 - gRPC method name
        return metrics_service_pb2.ExportMetricsServiceResponse()


@pytest.fixture(scope="module")
def spans() -> Iterator[tuple[SpanStore, int]]:
    store, port = SpanStore(), free_port()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(store, server)
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(MetricSink(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    try:
        yield store, port
    finally:
        server.stop(grace=None)


@pytest.fixture(scope="module")
def traced_stack(infra: Endpoints, mongo_url: str,
                 spans: tuple[SpanStore, int]) -> Iterator[Stack]:
    with running_stack(infra, mongo_url,
                       OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{spans[1]}",
                       OTEL_BSP_SCHEDULE_DELAY="200",
                       OTEL_METRIC_EXPORT_INTERVAL="5000") as stack:
        yield stack


def test_one_trace_from_webhook_to_platform_reply(traced_stack: Stack, mongo_url: str,
                                                  spans: tuple[SpanStore, int]) -> None:
    store = spans[0]
    message = {"platform": "x", "channel": "mention", "brand_account": "acmeshop",
               "platform_message_id": "trace-1", "author": {"id": "trace-cust", "handle": "t"},
               "text": "@acmeshop where is my parcel?", "created_at": datetime.now(UTC).isoformat()}
    accepted = httpx.post(f"http://127.0.0.1:{traced_stack.ingest_port}/v1/messages",
                          headers={"X-API-Key": "dev-ingest-key"}, json=message, timeout=10)
    assert accepted.status_code == 202, accepted.text

    db = MongoClient(mongo_url)[traced_stack.database]
    conversation = eventually(lambda: db.conversations.find_one(
        {"message_keys": "x:acmeshop:trace-1"}), "conversation stored")
    reply = httpx.post(
        f"http://127.0.0.1:{traced_stack.inbox_port}/v1/conversations/{conversation['_id']}"
        "/replies", headers={"X-API-Key": "dev-agent-key"},
        json={"text": "We are on it, DM us the order number. ^TT"}, timeout=10)
    assert reply.status_code == 202, reply.text

    # The trace starts at ingest; the reply the agent sent must land in that same trace.
    trace_id = eventually(lambda: store.trace_of("socialcare-ingest", "ingest api message"),
                        "ingest span exported")
    try:
        eventually(lambda: EVERY_HOP <= store.services_of(trace_id), "every hop in the trace")
    except AssertionError:
        seen = store.services_of(trace_id)
        raise AssertionError(f"trace {trace_id} lacks {sorted(EVERY_HOP - seen)}; it has "
                             f"{sorted(store.traces[trace_id])}") from None
    assert sum(1 for t in store.traces if "socialcare-gateway-sandbox" in store.services_of(t)
               ) == 1, "the gateway call must not start a trace of its own"
