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
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

import faust

from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.messages import Contract
from socialcare_runtime.stream_batches import take_batches
from socialcare_runtime.streams import RecordProcessor

T = TypeVar("T", bound=Contract)


class _InFlight:
    __slots__ = ("event", "done")

    def __init__(self, event: faust.EventT) -> None:
        self.event = event
        self.done = False


class Pipeline:
    def __init__(self, processor: RecordProcessor, batch_max: int, max_in_flight: int) -> None:
        self.processor = processor
        self.batch_max = batch_max
        self._slots = asyncio.Semaphore(max_in_flight)
        self._by_partition: dict[Hashable, deque[_InFlight]] = {}
        self._last_of_key: dict[Hashable, asyncio.Task[None]] = {}

    async def run(self, stream: faust.StreamT, model: type[T],
                  handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        """Consumes the stream for ever, each record in its own task."""
        async for batch in take_batches(stream, self.batch_max):
            for event in batch:
                await self._slots.acquire()
                self._start(stream, event, model, handler, stage)

    def _start(self, stream: faust.StreamT, event: faust.EventT, model: type[T],
               handler: Callable[[Envelope[T]], Awaitable[None]], stage: str) -> None:
        entry = _InFlight(event)
        self._by_partition.setdefault(event.message.tp, deque()).append(entry)
        key = event.message.key
        previous = self._last_of_key.get(key)
        task = asyncio.ensure_future(
            self._handle(stream, entry, previous, model, handler, stage))
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
        pending = self._by_partition[entry.event.message.tp]
        while pending and pending[0].done:
            await stream.ack(pending.popleft().event)
