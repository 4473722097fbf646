"""Library instrumentation (FastAPI, gRPC, PyMongo) behind one call each.

Each helper uses the global tracer provider that ``setup_telemetry`` installs, so call
``setup_telemetry`` first. Kafka needs no instrumentor: the publisher and ``send_event``
inject the trace context into record headers and ``RecordProcessor`` opens a consumer span
from it; a generic Kafka instrumentor would add a second ``traceparent`` header.
Health checks and metric scrapes are left out: they would be most of the spans and
say nothing.
"""

from typing import TYPE_CHECKING

from opentelemetry.instrumentation.grpc import (
    GrpcAioInstrumentorClient,
    GrpcAioInstrumentorServer,
    filters,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

UNTRACED_PATHS = "healthz,readyz,metrics"


def instrument_fastapi(app: "FastAPI", self_traced: str = "") -> None:
    """A server span per request (health and metrics endpoints excluded).

    ``self_traced``: comma-separated paths whose handlers open their own server span from
    the request's trace context (hot paths, where the generic middleware costs too much).
    """
    # Imported here: FastAPI is the runtime's "http" extra, which the gateways do not install.
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # One span per request is enough; the per-chunk receive/send spans only add volume.
    excluded = ",".join(p for p in (UNTRACED_PATHS, self_traced) if p)
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded,
                                       exclude_spans=["receive", "send"])


def instrument_grpc_server() -> None:
    """A server span per gRPC call on every ``grpc.aio`` server created afterwards."""
    instrumentor = GrpcAioInstrumentorServer(filter_=filters.negate(filters.health_check()))
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def instrument_grpc_client() -> None:
    """A client span per gRPC call, with the trace context in the call's metadata."""
    instrumentor = GrpcAioInstrumentorClient(filter_=filters.negate(filters.health_check()))
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def instrument_pymongo() -> None:
    """A client span per MongoDB command; command documents (customer data) are not recorded."""
    # Imported here: PyMongo is the runtime's "mongo" extra, which the gateways do not install.
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    instrumentor = PymongoInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(capture_statement=False)
