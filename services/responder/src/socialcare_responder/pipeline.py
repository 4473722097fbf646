"""Reply requests handled as they arrive, so one waiting for budget holds back only its own.

The shared stream loop finishes a batch before it takes the next: a bulk answer paced over
many windows would keep an urgent one-off that arrives meanwhile out of the responder until
the last copy went, and its account's budget would never see it ahead of the copies. Here
every record starts as soon as it is read; one conversation's records still run in order.
Offsets are acked in partition order only as records finish: a record waiting for budget is
never committed as done, nor is anything after it on its partition (faust's own gap check
misses a single unacked record at the head, so out-of-order acks are never handed to it).
At most ``max_in_flight`` records are held; beyond that the records stay in faust's buffer,
whose flow control pauses the partition while the consumer keeps polling its group.

A rebalance waits until every record taken is acked, and a record may wait for budget for
a whole window (15 min on X): so when one starts, the records still in flight stop, are
written back to the end of their partition, unchanged, and only then acked. The ledger and
the gateways' idempotency keys make a record stopped half-way safe to handle again.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import TypeVar

import faust

from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.messages import Contract
from socialcare_runtime.stream_batches import take_batches
from socialcare_runtime.streams import RecordProcessor

T = TypeVar("T", bound=Contract)
log = logging.getLogger(__name__)


class _InFlight:
    __slots__ = ("event", "done", "task")

    def __init__(self, event: faust.EventT) -> None:
        self.event = event
        self.done = False
        self.task: asyncio.Future[None] | None = None


class Pipeline:
    def __init__(self, processor: RecordProcessor, batch_max: int, max_in_flight: int,
                 rebalance_check_s: float = 0.1) -> None:
        self.processor = processor
        self.batch_max = batch_max
        self.rebalance_check_s = rebalance_check_s
        self.deferred = 0
        self._slots = asyncio.Semaphore(max_in_flight)
        self._by_partition: dict[Hashable, deque[_InFlight]] = {}
        self._last_of_key: dict[Hashable, asyncio.Task[None]] = {}

    async def run(self, stream: faust.StreamT, model: type[T],
                  handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        """Consumes the stream for ever, each record in its own task."""
        watcher = asyncio.ensure_future(self._watch_rebalances(stream))
        try:
            async for batch in take_batches(stream, self.batch_max):
                for event in batch:
                    await self._slots.acquire()
                    self._start(stream, event, model, handler, stage)
        finally:
            watcher.cancel()

    def _start(self, stream: faust.StreamT, event: faust.EventT, model: type[T],
               handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        entry = _InFlight(event)
        self._by_partition.setdefault(event.message.tp, deque()).append(entry)
        key = event.message.key
        previous = self._last_of_key.get(key)
        task = asyncio.ensure_future(
            self._handle(stream, entry, previous, model, handler, stage))
        entry.task = task
        self._last_of_key[key] = task

        def forget(done: asyncio.Task[None]) -> None:
            self._slots.release()
            if self._last_of_key.get(key) is done:
                del self._last_of_key[key]

        task.add_done_callback(forget)

    async def _handle(self, stream: faust.StreamT, entry: _InFlight,
                      previous: asyncio.Task[None] | None, model: type[T],
                      handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own; only the order matters
        # A batch of one: handled, dead-lettered or retried, and its events acknowledged.
        await self.processor.process_batch([entry.event], model, handler, stage)
        entry.done = True
        await self._ack_finished(stream, entry.event.message.tp)

    async def _ack_finished(self, stream: faust.StreamT, tp: Hashable) -> None:
        pending = self._by_partition[tp]
        while pending and pending[0].done:
            await stream.ack(pending.popleft().event)

    async def _watch_rebalances(self, stream: faust.StreamT) -> None:
        while True:
            await asyncio.sleep(self.rebalance_check_s)
            # Again on every check while it lasts: records taken from the batch queue after
            # the first deferral would hold the rebalance as well.
            if stream.app.rebalancing:
                try:
                    await self.defer_in_flight(stream)
                except Exception:  # Kafka away: what is left unacked is tried next check
                    log.exception("could not hand back the reply requests in flight")

    async def defer_in_flight(self, stream: faust.StreamT) -> None:
        """Stops the records in flight and writes them back to their partitions, in order,
        before acking them: not done, not lost, and no longer holding the rebalance."""
        stopping = [e.task for q in self._by_partition.values() for e in q
                    if not e.done and e.task is not None]
        for task in stopping:
            task.cancel()
        await asyncio.gather(*stopping, return_exceptions=True)
        producer = stream.app.producer
        for tp, pending in self._by_partition.items():
            for entry in pending:
                if not entry.done:
                    message = entry.event.message
                    headers = message.headers or []
                    await producer.send_and_wait(
                        message.topic, message.key, message.value, None, None,
                        list(headers.items()) if isinstance(headers, Mapping) else list(headers))
                    entry.done = True
                    self.deferred += 1
            await self._ack_finished(stream, tp)
        if stopping:
            log.info("handed %d reply requests back to Kafka for the rebalance", len(stopping))
