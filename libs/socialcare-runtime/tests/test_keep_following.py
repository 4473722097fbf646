"""A configuration feed that breaks is started again, not left stopped."""

import asyncio

import pytest

from socialcare_runtime.compacted import keep_following

pytestmark = pytest.mark.unit


async def test_a_failed_feed_is_started_again_and_cancellation_stops_it() -> None:
    calls: list[int] = []
    running = asyncio.Event()

    async def follow() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("broker away")
        running.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(keep_following("test feed", follow, retry_s=0.01))
    await asyncio.wait_for(running.wait(), 2)
    assert len(calls) == 2
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
