"""Following a compacted topic the way configuration is read: every partition from the start,
no consumer group, for ever, with a signal once the reader has caught up with the end it saw
at start (what was active then is applied)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer

log = logging.getLogger(__name__)


async def follow_compacted(bootstrap: str, topic: str, on_record: Callable[[Any], None],
                           caught_up: asyncio.Event | None = None,
                           max_record_bytes: int = 1024 * 1024) -> None:
    """Calls ``on_record`` with each record in order; sets ``caught_up`` once at the end."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=max_record_bytes)
    await consumer.start()
    try:
        while not consumer.assignment():
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        while True:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    on_record(record)
            if caught_up is None or caught_up.is_set():
                continue
            # A list first: an await inside all()'s generator makes it an async generator,
            # which all() cannot iterate (a TypeError on every pass, caught_up never set).
            positions = [await consumer.position(tp) for tp in partitions]
            if all(at >= ends[tp] for at, tp in zip(positions, partitions, strict=True)):
                caught_up.set()
                log.info("%s read up to its end at start", topic)
    finally:
        await consumer.stop()


async def keep_following(what: str, follow: Callable[[], Awaitable[None]],
                         retry_s: float = 2.0) -> None:
    """Runs ``follow`` for ever, starting it again after a failure: a worker whose
    configuration feed broke keeps what it has and reconnects instead of stopping."""
    while True:
        try:
            await follow()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; reconnecting", what)
            await asyncio.sleep(retry_s)
