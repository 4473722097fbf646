"""Publishing events from request handlers: kafka-python producer bridged to asyncio.

The producer is idempotent with acks=all, so an acknowledged record is on every in-sync
replica exactly once. In-flight records are bounded: when the broker is slow or down the
caller gets ``Backpressure`` at once instead of an ever-growing buffer.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from kafka import KafkaProducer
from kafka.errors import KafkaError

from socialcare_contracts import cloudevents
from socialcare_contracts.messages import Contract
from socialcare_runtime.metrics import service_metrics
from socialcare_runtime.telemetry import trace_headers

log = logging.getLogger(__name__)


class Backpressure(RuntimeError):
    """Kafka is not keeping up or not reachable: callers should retry later."""


@dataclass(frozen=True)
class Outgoing:
    topic: str
    key: str
    data: Contract
    event_id: str | None = None


class EventPublisher:
    def __init__(self, producer: KafkaProducer, source: str, *, max_in_flight: int,
                 ack_timeout_s: float) -> None:
        self._producer = producer
        self._source = source
        self._max_in_flight = max_in_flight
        self._in_flight = 0
        self._failed_at: float | None = None
        self._ack_timeout_s = ack_timeout_s

    @classmethod
    def connect(cls, bootstrap: str, source: str, *, warm_topic: str,
                max_in_flight: int = 10_000, ack_timeout_s: float = 10.0,
                linger_ms: int = 2) -> "EventPublisher":
        """Creates the producer and fetches ``warm_topic``'s metadata; fails when no broker answers.

        Fetching metadata here keeps the first request from blocking the event loop on it.
        """
        producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=source,
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            compression_type=None,
            max_block_ms=2_000,
            delivery_timeout_ms=int(ack_timeout_s * 1000) + 5_000,
            request_timeout_ms=int(ack_timeout_s * 1000),
        )
        producer.partitions_for(warm_topic)
        return cls(producer, source, max_in_flight=max_in_flight, ack_timeout_s=ack_timeout_s)

    def ready(self, recovery_s: float = 10.0) -> bool:
        """False for ``recovery_s`` after a publish failed, so load balancers back off."""
        return self._failed_at is None or time.monotonic() - self._failed_at > recovery_s

    async def publish(self, outgoing: Sequence[Outgoing]) -> list[str]:
        """Sends every record and waits until Kafka acknowledged all; returns the event ids.

        All-or-error: if any record fails, the caller gets ``Backpressure`` and must retry
        the whole batch; duplicates from such a retry are removed downstream by event and
        platform message id.
        """
        if self._in_flight + len(outgoing) > self._max_in_flight:
            raise Backpressure(f"{self._in_flight} records already in flight")
        loop = asyncio.get_running_loop()
        extensions = trace_headers()
        futures: list[asyncio.Future[object]] = []
        ids: list[str] = []
        for item in outgoing:
            value, headers = cloudevents.encode(
                item.data, source=self._source, event_id=item.event_id, extensions=extensions
            )
            ids.append(dict(headers)["ce_id"].decode())
            done: asyncio.Future[object] = loop.create_future()
            futures.append(done)
            try:
                kafka_future = self._producer.send(
                    item.topic, value=value, key=item.key.encode(), headers=headers
                )
            except KafkaError as exc:
                done.set_exception(Backpressure(str(exc)))
                continue
            self._in_flight += 1
            kafka_future.add_both(self._settle_threadsafe, loop, done)
        try:
            await asyncio.wait_for(asyncio.gather(*futures), self._ack_timeout_s)
        except (TimeoutError, KafkaError, Backpressure) as exc:
            self._failed_at = time.monotonic()
            raise Backpressure(f"kafka did not acknowledge: {exc}") from exc
        metrics = service_metrics()
        for item in outgoing:
            metrics.published(item.topic, self._source)
        return ids

    def _settle_threadsafe(self, loop: asyncio.AbstractEventLoop,
                           done: asyncio.Future[object], result: object) -> None:
        """Runs on the producer's I/O thread: hands the outcome back to the event loop."""

        def settle() -> None:
            self._in_flight -= 1
            if done.done():
                return
            if isinstance(result, BaseException):
                done.set_exception(result)
            else:
                done.set_result(result)

        loop.call_soon_threadsafe(settle)

    def close(self, timeout_s: float = 10.0) -> None:
        self._producer.flush(timeout=timeout_s)
        self._producer.close(timeout=timeout_s)
