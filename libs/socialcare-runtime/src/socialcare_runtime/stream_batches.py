"""Batches of records from a faust stream, run in per-key order, acknowledged by Kafka.

A batch is whatever has arrived while the previous one was processed (at least one record,
at most ``max_records``): at low load every record is processed as soon as it arrives, at
high load the fixed costs are shared. Nothing here acks a record; the caller acks a batch
only after its side effects, including the broker's acknowledgement of every event it
produced, so faust commits an offset only past work that is done.

The events a batch derives go out through one librdkafka producer per process
(``RecordProducer``) rather than faust's aiokafka producer, which partitions, batches and
tracks every record in Python: a record costs a call into C, and a batch collects its
acknowledgements once, instead of a future per record.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

import faust
from confluent_kafka import KafkaError, KafkaException, Message, Producer

Item = TypeVar("Item")


class NotAcknowledged(RuntimeError):
    """Kafka did not acknowledge a record a batch produced: the batch is handled again."""


class Deliveries:
    """Collects the acknowledgements of what one batch produces (see ``track_delivery``)."""

    def __init__(self) -> None:
        self.pending: list[Awaitable[Any]] = []
        # Records per topic, counted once per batch rather than once per record.
        self.published: Counter[str] = Counter()
        # Records handed to a RecordProducer and not reported on yet.
        self._unsettled = 0
        self._failure: str | None = None
        self._producers: set[RecordProducer] = set()

    def __enter__(self) -> "Deliveries":
        self._token = _deliveries.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _deliveries.reset(self._token)

    def expect(self, topic: str, producer: "RecordProducer") -> None:
        """Counts a record about to be handed to ``producer``."""
        self.published[topic] += 1
        self._unsettled += 1
        self._producers.add(producer)

    def delivered(self, error: KafkaError | None, _: Message | None) -> None:
        """librdkafka's report of one record, run by ``RecordProducer.serve_reports``."""
        if error is not None and self._failure is None:
            self._failure = error.str()
        self._unsettled -= 1

    async def acknowledged(self) -> None:
        """Waits for Kafka to acknowledge every record; raises the first failure."""
        if self.pending:
            await asyncio.gather(*self.pending)
        pause = 0.0005
        # Reports are served here, on the event loop: a polling thread would take the GIL
        # from the loop once per record (measured: more CPU than it saves).
        while True:
            for producer in self._producers:
                producer.serve_reports()
            if not self._unsettled:
                break
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.02)
        if self._failure is not None:
            raise NotAcknowledged(self._failure)


class RecordProducer:
    """The process's producer of derived events: idempotent, acks from every replica.

    Created idle; connects on the first record. Its delivery reports run where the batch
    that waits for them polls (``Deliveries.acknowledged``).
    """

    def __init__(self, bootstrap: str, client_id: str, ack_timeout_s: float = 30.0) -> None:
        self._config = {
            "bootstrap.servers": bootstrap,
            "client.id": client_id,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 2,
            # murmur2 as faust, aiokafka and the Java client: a key keeps its partition.
            "partitioner": "murmur2_random",
            # Every record gets its report within this time, so a batch never waits for ever.
            "message.timeout.ms": int(ack_timeout_s * 1000),
            "logger": logging.getLogger("socialcare_runtime.librdkafka"),
        }
        self._producer: Producer | None = None

    def send(self, topic: str, key: bytes, value: bytes, headers: list[tuple[str, bytes]],
             deliveries: Deliveries) -> None:
        """Hands a record to librdkafka; ``deliveries`` learns of its outcome."""
        if self._producer is None:
            self._producer = Producer(self._config)
        deliveries.expect(topic, self)
        try:
            self._producer.produce(topic, value=value, key=key, headers=headers,
                                   on_delivery=deliveries.delivered)
        except (KafkaException, BufferError) as exc:
            # Queue full or the topic unknown: the batch backs off and is handled again.
            deliveries.delivered(KafkaError(KafkaError._FAIL, str(exc)), None)

    def serve_reports(self) -> None:
        """Runs the delivery reports that have arrived, without waiting."""
        if self._producer is not None:
            self._producer.poll(0)

    def close(self, timeout_s: float = 10.0) -> None:
        """Sends what is still queued, up to ``timeout_s``."""
        if self._producer is not None:
            self._producer.flush(timeout_s)


_deliveries: ContextVar[Deliveries | None] = ContextVar("deliveries", default=None)


def current_deliveries() -> Deliveries | None:
    """The batch being processed in this task, if any."""
    return _deliveries.get()


def track_delivery(delivery: Awaitable[Any], topic: str) -> bool:
    """Adds a produced record's acknowledgement to the batch being processed, if any."""
    batch = _deliveries.get()
    if batch is None:
        return False
    batch.pending.append(delivery)
    batch.published[topic] += 1
    return True


async def take_batches(stream: faust.StreamT, max_records: int
                       ) -> AsyncIterator[list[faust.EventT]]:
    """Yields the stream's events in arrival batches, with faust's automatic acks off."""
    # take_events() acks a batch in a finally block, even one cancelled half-way at shutdown;
    # reading the stream in a task of our own leaves every ack to the caller.
    stream.enable_acks = False
    arrived: asyncio.Queue[faust.EventT] = asyncio.Queue(maxsize=max_records)

    async def read() -> None:
        app = stream.app
        events = stream.events().__aiter__()
        while True:
            # While the group rebalances, leave records in faust's buffer, which the
            # rebalance clears unacked: taken now they would meet faust's generation
            # check, and faust acks what that check skips. What is already taken is
            # handled and acked as usual (faust waits for it before giving partitions up).
            while app.rebalancing:
                await asyncio.sleep(0.05)
            try:
                event = await events.__anext__()
            except StopAsyncIteration:  # the stream stopped (worker shutdown)
                return
            await arrived.put(event)

    reader = asyncio.ensure_future(read())
    try:
        while True:
            if arrived.empty():
                getter = asyncio.ensure_future(arrived.get())
                await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    reader.result()  # the stream ended or failed: re-raise its error
                    return
                batch = [getter.result()]
            else:
                batch = [arrived.get_nowait()]
            while len(batch) < max_records and not arrived.empty():
                batch.append(arrived.get_nowait())
            yield batch
    finally:
        reader.cancel()


async def in_key_order(items: Sequence[Item], key_of: Callable[[Item], Hashable],
                       work: Callable[[Item], Awaitable[None]], concurrent: bool) -> None:
    """Runs ``work`` on every item: one key's items in order, different keys concurrently.

    Without ``concurrent`` (CPU-bound work, where overlapping gains nothing) the items run
    one after another in batch order, which keeps every key's order too.
    """
    if not concurrent:
        for item in items:
            await work(item)
        return
    chains: dict[Hashable, list[Item]] = {}
    for item in items:
        chains.setdefault(key_of(item), []).append(item)
    if len(chains) == 1:
        for item in items:
            await work(item)
        return

    async def run_chain(chain: list[Item]) -> None:
        for item in chain:
            await work(item)

    await asyncio.gather(*(run_chain(chain) for chain in chains.values()))
