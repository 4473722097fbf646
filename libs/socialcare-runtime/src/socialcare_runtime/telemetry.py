"""OpenTelemetry setup (one function) and trace-context propagation through Kafka headers.

Traces and metrics go out by OTLP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; metrics are
also served for Prometheus on ``/metrics`` when ``SOCIALCARE_METRICS_PORT`` is set (bound to
``SOCIALCARE_HOST``, loopback by default).
"""

import os
from collections.abc import Iterable
from dataclasses import dataclass

from opentelemetry import context, metrics, propagate, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

TRACE_HEADERS = ("traceparent", "tracestate")
METRICS_PORT_ENV = "SOCIALCARE_METRICS_PORT"


@dataclass(frozen=True)
class Telemetry:
    tracer: trace.Tracer
    meter: metrics.Meter
    tracer_provider: TracerProvider
    meter_provider: MeterProvider | None = None

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        if self.meter_provider is not None:
            self.meter_provider.shutdown()  # exports the last readings


def setup_telemetry(service: str, *extra_processors: SpanProcessor) -> Telemetry:
    """Builds the tracer and meter of a service; exports by OTLP when the endpoint is set."""
    resource = Resource.create({"service.name": service, "service.namespace": "socialcare"})
    provider = TracerProvider(resource=resource)
    for processor in extra_processors:
        provider.add_span_processor(processor)
    readers = []
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    if port := os.environ.get(METRICS_PORT_ENV):
        readers.append(_serve_prometheus(int(port), os.environ.get("SOCIALCARE_HOST",
                                                                  "127.0.0.1")))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    # Set globally so library instrumentations and propagation find them.
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(meter_provider)
    return Telemetry(trace.get_tracer(service), metrics.get_meter(service), provider,
                     meter_provider)


def metrics_exported() -> bool:
    """True when metrics leave the process (OTLP or Prometheus), so measuring them pays."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(METRICS_PORT_ENV))


def _serve_prometheus(port: int, host: str) -> MetricReader:
    """A reader that serves the metrics on ``http://host:port/metrics`` for Prometheus."""
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from prometheus_client import start_http_server

    reader = PrometheusMetricReader()
    start_http_server(port, addr=host)
    return reader


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers, to put on an outgoing record."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {k: v for k, v in carrier.items() if k in TRACE_HEADERS}


def context_from_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> context.Context:
    """The trace context carried by an incoming record's headers."""
    carrier = {k: (v or b"").decode("latin-1") for k, v in (headers or ()) if k in TRACE_HEADERS}
    return propagate.extract(carrier)
