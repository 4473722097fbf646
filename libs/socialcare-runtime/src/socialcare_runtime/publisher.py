"""Publishing events from request handlers: a librdkafka producer bridged to asyncio.

The producer is idempotent with acks=all, so an acknowledged record is on every in-sync
replica exactly once. In-flight records are bounded: when the broker is slow or down the
caller gets ``Backpressure`` at once instead of an ever-growing buffer.

confluent-kafka (librdkafka, shipped in its wheel) rather than kafka-python: building and
sending records happens in C threads that do not hold the GIL, about 5 µs of Python time
per record against about 34 µs (``python -m bench.ingest_producers``). Keys are hashed with
murmur2 as the Java client, kafka-python and aiokafka do, so a conversation keeps its
partition whichever client published it.
"""

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException, Message, Producer

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


class _Acks:
    """The acknowledgements of one ``publish`` call, counted where they arrive.

    Kafka's callbacks run on the producer's I/O thread; handing each one to the event loop
    costs a wake-up per record, so they are counted there and the loop is woken once, when
    the last record of the call is settled (the first failure is kept as the outcome).
    """

    __slots__ = ("_loop", "_remaining", "_error", "_lock", "_on_settled", "_count", "done")

    def __init__(self, loop: asyncio.AbstractEventLoop, count: int,
                 on_settled: Callable[[int], None]) -> None:
        self._loop = loop
        self._remaining = self._count = count
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._on_settled = on_settled
        self.done: asyncio.Future[None] = loop.create_future()

    def delivered(self, error: KafkaError | None, _: Message) -> None:
        """librdkafka's delivery report of one record."""
        self.settle(KafkaException(error) if error is not None else None)

    def settle(self, result: object) -> None:
        """One record's outcome (metadata or an exception); any thread."""
        with self._lock:
            if isinstance(result, BaseException) and self._error is None:
                self._error = result
            self._remaining -= 1
            last = self._remaining == 0
        if last:
            self._loop.call_soon_threadsafe(self._finish)

    def _finish(self) -> None:
        self._on_settled(self._count)
        if self.done.done():
            return
        if self._error is None:
            self.done.set_result(None)
        else:
            self.done.set_exception(Backpressure(str(self._error) or type(self._error).__name__))


class EventPublisher:
    def __init__(self, producer: Producer, source: str, *, max_in_flight: int,
                 ack_timeout_s: float) -> None:
        self._producer = producer
        self._source = source
        self._max_in_flight = max_in_flight
        self._in_flight = 0
        self._failed_at: float | None = None
        self._ack_timeout_s = ack_timeout_s
        self._closing = threading.Event()
        # librdkafka runs delivery callbacks inside poll(); this thread serves them.
        self._poller = threading.Thread(target=self._serve_callbacks, daemon=True,
                                        name=f"{source}-kafka-acks")
        self._poller.start()

    @classmethod
    def connect(cls, bootstrap: str, source: str, *, warm_topic: str | None,
                max_in_flight: int = 10_000, ack_timeout_s: float = 10.0,
                linger_ms: int = 2, batch_bytes: int = 64 * 1024) -> "EventPublisher":
        """Creates the producer and fetches ``warm_topic``'s metadata; fails when no broker answers.

        Fetching metadata here keeps the first request from waiting for it; without
        ``warm_topic`` nothing is checked (the producer connects in the background).
        """
        producer = Producer({
            "bootstrap.servers": bootstrap,
            "client.id": source,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": linger_ms,
            "batch.size": batch_bytes,
            "compression.type": "none",
            "partitioner": "murmur2_random",
            "message.timeout.ms": int(ack_timeout_s * 1000) + 5_000,
            "request.timeout.ms": int(ack_timeout_s * 1000),
            "logger": logging.getLogger("socialcare_runtime.librdkafka"),
        })
        if warm_topic is not None:
            try:
                producer.list_topics(warm_topic, timeout=5)
            except KafkaException as exc:
                raise Backpressure(f"no Kafka broker answered at {bootstrap}: {exc}") from exc
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
        count = len(outgoing)
        if self._in_flight + count > self._max_in_flight:
            raise Backpressure(f"{self._in_flight} records already in flight")
        if not count:
            return []
        loop = asyncio.get_running_loop()
        acks = _Acks(loop, count, self._settled)
        self._in_flight += count
        extensions = trace_headers()
        ids: list[str] = []
        produce = self._producer.produce
        sent = 0
        try:
            for item in outgoing:
                value, headers = cloudevents.encode(
                    item.data, source=self._source, event_id=item.event_id,
                    extensions=extensions)
                ids.append(next(v for k, v in headers if k == "ce_id").decode())
                try:
                    produce(item.topic, value=value, key=item.key.encode(), headers=headers,
                            on_delivery=acks.delivered)
                except (KafkaException, BufferError) as exc:
                    acks.settle(exc)
                sent += 1
        except BaseException as exc:
            # Records never handed to the producer are never acknowledged: settle them here
            # so the in-flight count comes back down.
            for _ in range(count - sent):
                acks.settle(exc)
            raise
        try:
            await asyncio.wait_for(acks.done, self._ack_timeout_s)
        except (TimeoutError, Backpressure) as exc:
            self._failed_at = time.monotonic()
            raise Backpressure(f"kafka did not acknowledge: {exc}") from exc
        metrics = service_metrics()
        for topic, published in Counter(item.topic for item in outgoing).items():
            metrics.published(topic, self._source, published)
        return ids

    def _settled(self, count: int) -> None:
        self._in_flight -= count

    def _serve_callbacks(self) -> None:
        while not self._closing.is_set():
            self._producer.poll(0.1)  # blocks in C, without the GIL

    def close(self, timeout_s: float = 10.0) -> None:
        """Waits for what is in flight (up to ``timeout_s``), then stops the callback thread."""
        self._producer.flush(timeout_s)
        self._closing.set()
        self._poller.join(timeout_s)
