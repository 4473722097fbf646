"""Stream workers on faust-streaming: app factory and batched per-record processing.

Records are taken in batches of what has arrived; within a batch each key's records are
handled in partition order (different keys concurrently where the stage is I/O-bound).
What is the same for every record is paid once per batch: counting, the wait for Kafka's
acknowledgements (the events go out through one librdkafka producer, ``RecordProducer``).
Each record keeps its own consumer span, parented to the trace context its headers carry:
the router stores that context on the conversation and the agent's reply continues it, so
one trace runs from ingest to the platform reply with a span of every hop in it. A batch
span linking its records would put the classifier and router spans in traces of their own.
A record that cannot be decoded or whose handler raises goes to the dead-letter topic with
the reason, alone, and the rest of its batch goes on; an exception escaping an agent would
stop its partitions from committing. Transient infrastructure errors are retried with
backoff instead. A batch's offsets are acked only after its side effects succeeded and
Kafka acknowledged every event it produced.
"""

import asyncio
import base64
import hashlib
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import faust
from aiokafka.errors import KafkaError
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.cloudevents import Envelope, InvalidEvent
from socialcare_contracts.events import DeadLettered
from socialcare_contracts.messages import Contract
from socialcare_runtime.metrics import LagMonitor, SocialcareMetrics, service_metrics
from socialcare_runtime.settings import ServiceSettings
from socialcare_runtime.stateless_app import StatelessApp
from socialcare_runtime.stream_batches import (
    Deliveries,
    NotAcknowledged,
    RecordProducer,
    current_deliveries,
    in_key_order,
    take_batches,
    track_delivery,
)
from socialcare_runtime.telemetry import context_from_headers, metrics_exported, trace_headers

log = logging.getLogger(__name__)
T = TypeVar("T", bound=Contract)
_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


class StreamApp(StatelessApp):
    """A stream app with the producer its stages publish derived events through."""

    records: RecordProducer


def create_app(app_id: str, settings: ServiceSettings) -> faust.App:
    """A faust app whose consumer group is ``app_id`` (with the configured topic prefix)."""
    datadir = Path(settings.stream_data_dir) / settings.topic(app_id)
    datadir.parent.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    brokers = ";".join(f"kafka://{b.strip()}" for b in settings.kafka_bootstrap.split(","))
    app = StreamApp(
        settings.topic(app_id),
        broker=brokers,
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_linger=0.002,
        broker_commit_interval=0.5,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        topic_allow_declare=True,
        # Shorter waits on worker join/leave so a dead worker's partitions move quickly.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        # Faust creates its data directory at start; never in the working directory.
        datadir=str(datadir),
    )
    app.records = RecordProducer(settings.kafka_bootstrap, settings.topic(app_id))
    return app


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic read and written as bytes: decoding is ours, so poison never crashes faust."""
    return app.topic(name, key_type=bytes, value_type=bytes,
                     key_serializer="raw", value_serializer="raw")


class RecordProcessor:
    """Decodes, traces, measures, handles and dead-letters the records of one stage.

    ``concurrent_keys`` lets an I/O-bound stage handle a batch's keys concurrently (each
    key still in order). When metrics are exported it also reports its consumer group's
    lag while the app runs.
    """

    def __init__(
        self,
        app: faust.App,
        settings: ServiceSettings,
        service: str,
        tracer: trace.Tracer,
        transient_errors: tuple[type[Exception], ...] = (),
        max_backoff_s: float = 10.0,
        instruments: SocialcareMetrics | None = None,
        lag_interval_s: float = 15.0,
        concurrent_keys: bool = False,
    ) -> None:
        self.service = service
        self.batch_max = settings.stream_batch_max
        self.concurrent_keys = concurrent_keys
        self.tracer = tracer
        self.transient_errors = transient_errors
        self.max_backoff_s = max_backoff_s
        self.deadletter_topic = raw_topic(app, settings.topic(topics.DEADLETTER))
        self.dead_lettered = 0
        self.instruments = instruments or service_metrics()
        if metrics_exported():
            monitor = LagMonitor(settings.kafka_bootstrap, [app.conf.id], self.instruments,
                                 lag_interval_s)

            @app.task
            async def report_lag() -> None:
                monitor.start()

    async def run(self, stream: faust.StreamT, model: type[T],
                  handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        """Consumes a stream for ever, a batch at a time; acks a batch once it is done."""
        async for batch in take_batches(stream, self.batch_max):
            await self.process_batch(batch, model, handler, stage)
            for event in batch:
                await stream.ack(event)

    async def process_batch(self, events: list[faust.EventT], model: type[T],
                            handler: Callable[[Envelope[T]], Awaitable[None]],
                            stage: str) -> None:
        """Handles a batch and waits until Kafka acknowledged everything it produced.

        When a produced record is not acknowledged the whole batch is handled again, as a
        redelivery would: handlers are repeatable and derived event ids deterministic.
        """
        for topic, count in Counter(e.message.topic for e in events).items():
            self.instruments.messages_in.add(count, {"topic": topic, "service": self.service})
        attempt = 0
        while True:
            with Deliveries() as deliveries:
                await in_key_order(events, lambda e: e.message.key,
                                   lambda e: self._timed(e.message, model, handler, stage),
                                   self.concurrent_keys)
            try:
                await deliveries.acknowledged()
                for topic, count in deliveries.published.items():
                    self.instruments.published(topic, self.service, count)
                return
            except (KafkaError, NotAcknowledged) as exc:
                attempt += 1
                delay = min(self.max_backoff_s, 0.1 * 2 ** min(attempt, 10))
                log.warning("%s: produced events not acknowledged (%s, attempt %d); handling "
                            "the batch of %d again in %.1fs", stage, exc, attempt,
                            len(events), delay)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def process(self, message: Any, model: type[T],
                      handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        """Handles one record on its own; counted, timed and dead-lettered as in a batch."""
        self.instruments.consumed(message.topic, self.service)
        await self._timed(message, model, handler, stage)

    async def _timed(self, message: Any, model: type[T],
                     handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        started = time.perf_counter()
        outcome = await self._process(message, model, handler, stage)
        self.instruments.processing.record(time.perf_counter() - started, {
            "stage": stage, "service": self.service, "outcome": outcome})

    async def _process(self, message: Any, model: type[T],
                       handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> str:
        headers = header_items(message.headers)
        # The span is made current by hand: start_as_current_span's context-manager layers
        # add a fifth to a span's cost (about 4 of 22 µs), once per record.
        span = self.tracer.start_span(
            f"{stage} process", context=context_from_headers(headers), kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka",
                        "messaging.destination.name": message.topic,
                        "messaging.kafka.partition": message.partition,
                        "messaging.kafka.offset": message.offset})
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            return await self._handle(message, headers, model, handler, stage, span)
        except Exception as exc:  # the dead-letter topic unreachable: the batch fails
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            otel_context.detach(token)
            span.end()

    async def _handle(self, message: Any, headers: list[tuple[str, bytes]], model: type[T],
                      handler: Callable[[Envelope[T]], Awaitable[None]], stage: str,
                      span: trace.Span) -> str:
        try:
            envelope = cloudevents.decode(message.value, headers, model)
        except InvalidEvent as exc:
            await self._dead_letter(message, headers, stage, str(exc))
            span.set_status(Status(StatusCode.ERROR, "invalid event"))
            return "invalid"
        span.set_attribute("cloudevents.event_id", envelope.id)
        attempt = 0
        while True:
            try:
                await handler(envelope)
                return "ok"
            except self.transient_errors as exc:
                attempt += 1
                delay = min(self.max_backoff_s, 0.1 * 2 ** min(attempt, 10))
                log.warning("%s: transient %s (attempt %d), retrying in %.1fs",
                            stage, type(exc).__name__, attempt, delay)
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            except Exception as exc:
                log.exception("%s failed on event %s; dead-lettering", stage, envelope.id)
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                await self._dead_letter(message, headers, stage,
                                        f"{type(exc).__name__}: {exc}")
                return "failed"

    async def _dead_letter(self, message: Any, headers: list[tuple[str, bytes]],
                           stage: str, reason: str) -> None:
        record = DeadLettered(
            reason=reason[:2000],
            stage=stage,
            service=self.service,
            source_topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key_base64=base64.b64encode(message.key).decode() if message.key else None,
            value_base64=base64.b64encode(message.value or b"").decode(),
            headers=cloudevents.header_map(headers),
            dead_lettered_at=datetime.now(UTC),
        )
        value, out_headers = cloudevents.encode(record, source=self.service,
                                                extensions=trace_headers())
        name = self.deadletter_topic.get_topic_name()
        if not track_delivery(await self.deadletter_topic.send(
                key=message.key, value=value, headers=out_headers, force=True), name):
            self.instruments.published(name, self.service)
        self.dead_lettered += 1
        self.instruments.dead_lettered.add(1, {"stage": stage, "service": self.service})
        log.warning("dead-lettered %s[%d]@%d from %s: %s", message.topic, message.partition,
                    message.offset, stage, reason[:200])


async def send_event(topic: faust.TopicT, key: str, data: Contract, source: str,
                     event_id: str | None = None) -> str:
    """Publishes an event from inside an agent; acknowledged before the source offset commits.

    Inside a batch the batch waits for the acknowledgement, with all the others. Outside
    one (a timer) this call waits for it and logs a failure rather than raising it: an
    exception escaping a faust timer would stop the worker.
    """
    event_id = event_id or str(uuid.uuid4())
    value, headers = cloudevents.encode(data, source=source, event_id=event_id,
                                        extensions=trace_headers())
    app = topic.app
    if not isinstance(app, StreamApp):
        raise TypeError("send_event needs an app from socialcare_runtime.streams.create_app")
    batch = current_deliveries()
    deliveries = batch or Deliveries()
    app.records.send(topic.get_topic_name(), key.encode(), value, headers, deliveries)
    if batch is None:
        try:
            await deliveries.acknowledged()
        except NotAcknowledged as exc:
            log.warning("event %s to %s not acknowledged: %s", event_id,
                        topic.get_topic_name(), exc)
        else:
            service_metrics().published(topic.get_topic_name(), source)
    return event_id


def header_items(headers: Any) -> list[tuple[str, bytes]]:
    if not headers:
        return []
    items: Iterable[tuple[str, Any]] = headers.items() if isinstance(headers, dict) else headers
    return [(k, v if isinstance(v, bytes) else str(v).encode()) for k, v in items]


def derived_event_id(source_event_id: str, stage: str) -> str:
    """A stable id for the event a stage derives from another: redelivery re-emits the same id.

    ``uuid.uuid5(NAMESPACE_URL, "socialcare:<stage>:<id>")`` spelled out: the same ids, at a
    quarter of the cost (``uuid.UUID`` objects are slow to build, once per record).
    """
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + f"socialcare:{stage}:{source_event_id}"
                                    .encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def run_worker(app: faust.App, on_shutdown: Callable[[], None] | None = None) -> None:
    """Runs a faust worker in this process until SIGTERM/SIGINT."""
    # Keep the JSON handler configure_logging installed instead of faust's console format.
    worker = faust.Worker(app, loglevel=logging.getLogger().level, quiet=True,
                          override_logging=False, redirect_stdouts=False)
    try:
        worker.execute_from_commandline()
    finally:
        if isinstance(app, StreamApp):
            app.records.close()
        if on_shutdown is not None:
            on_shutdown()
