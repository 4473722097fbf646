"""Batches of records from a faust stream, run in per-key order, acknowledged by Kafka.

A batch is whatever has arrived while the previous one was processed (at least one record,
at most ``max_records``): at low load every record is processed as soon as it arrives, at
high load the fixed costs are shared. Nothing here acks a record; the caller acks a batch
only after its side effects, including the broker's acknowledgement of every event it
produced, so faust commits an offset only past work that is done.
"""

import asyncio
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import faust
from faust.streams import _current_event

Item = TypeVar("Item")


class Deliveries:
    """Collects the acknowledgements of what one batch produces (see ``track_delivery``)."""

    def __init__(self) -> None:
        self.pending: list[Awaitable[Any]] = []
        # Records per topic, counted once per batch rather than once per record.
        self.published: Counter[str] = Counter()

    def __enter__(self) -> "Deliveries":
        self._token = _deliveries.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _deliveries.reset(self._token)

    async def acknowledged(self) -> None:
        """Waits for Kafka to acknowledge every record; raises the first failure."""
        if self.pending:
            await asyncio.gather(*self.pending)


_deliveries: ContextVar[Deliveries | None] = ContextVar("deliveries", default=None)


def track_delivery(delivery: Awaitable[Any], topic: str) -> bool:
    """Adds a produced record's acknowledgement to the batch being processed, if any."""
    batch = _deliveries.get()
    if batch is None:
        return False
    batch.pending.append(delivery)
    batch.published[topic] += 1
    return True


@contextmanager
def as_current(event: faust.EventT) -> Iterator[None]:
    """Makes ``event`` faust's current event, as its own stream iteration would.

    Table writes take their changelog partition from it; faust offers no public setter.
    """
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


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
