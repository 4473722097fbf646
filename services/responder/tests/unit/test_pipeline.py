"""The per-record pipeline over a fake stream: key order, partition-order acks, rebalances."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from socialcare_responder.pipeline import Pipeline

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Message:
    tp: str
    key: bytes
    offset: int
    topic: str = "requests"
    value: bytes = b"{}"
    headers: tuple[tuple[str, bytes], ...] = (("ce_id", b"1"),)


@dataclass(eq=False)
class Event:
    message: Message


@dataclass
class Producer:
    written: list[tuple[Any, ...]] = field(default_factory=list)

    async def send_and_wait(self, *record: Any) -> None:
        self.written.append(record)


@dataclass
class App:
    producer: Producer = field(default_factory=Producer)
    rebalancing: bool = False


class Stream:
    """What the pipeline uses of a faust stream: events in, acks recorded."""

    def __init__(self) -> None:
        self.app = App()
        self.enable_acks = True
        self.incoming: asyncio.Queue[Event] = asyncio.Queue()
        self.acked: list[int] = []

    async def events(self) -> AsyncIterator[Event]:
        while True:
            yield await self.incoming.get()

    async def ack(self, event: Event) -> bool:
        self.acked.append(event.message.offset)
        return True


class Processor:
    """Handles a record once the test releases it."""

    def __init__(self) -> None:
        self.release: dict[int, asyncio.Event] = {}
        self.started: list[int] = []

    async def process_batch(self, events: list[Event], *args: Any) -> None:
        [event] = events
        self.started.append(event.message.offset)
        await self.release.setdefault(event.message.offset, asyncio.Event()).wait()

    def finish(self, offset: int) -> None:
        self.release.setdefault(offset, asyncio.Event()).set()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.fixture
async def running() -> AsyncIterator[tuple[Stream, Processor, Pipeline]]:
    stream, processor = Stream(), Processor()
    pipeline = Pipeline(processor, batch_max=10, max_in_flight=10,  # type: ignore[arg-type]
                        rebalance_check_s=0.01)
    task = asyncio.create_task(pipeline.run(stream, object, None, "send"))  # type: ignore[arg-type]
    yield stream, processor, pipeline
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def offer(stream: Stream, *records: tuple[int, bytes]) -> None:
    for offset, key in records:
        stream.incoming.put_nowait(Event(Message("p0", key, offset)))


async def test_a_waiting_record_holds_the_acks_after_it_but_not_their_work(running) -> None:
    stream, processor, _ = running
    offer(stream, (0, b"a"), (1, b"b"), (2, b"a"))
    await settle()
    assert processor.started == [0, 1]  # b runs beside a; a's second waits for its first
    processor.finish(1)
    await settle()
    assert stream.acked == []  # done, but offset 0 before it is not
    processor.finish(0)
    await settle()
    assert stream.acked == [0, 1] and processor.started == [0, 1, 2]
    processor.finish(2)
    await settle()
    assert stream.acked == [0, 1, 2]


async def test_a_rebalance_writes_waiting_records_back_before_acking_them(running) -> None:
    stream, processor, pipeline = running
    offer(stream, (0, b"a"), (1, b"b"), (2, b"a"))
    await settle()
    processor.finish(1)
    await settle()
    stream.app.rebalancing = True
    await asyncio.sleep(0.05)
    records = stream.app.producer.written
    assert [(r[0], r[1]) for r in records] == [("requests", b"a")] * 2  # offsets 0 and 2
    assert records[0][5] == [("ce_id", b"1")]  # headers as the list aiokafka takes
    assert pipeline.deferred == 2
    assert stream.acked == [0, 1, 2]  # in order, the finished one not written back
