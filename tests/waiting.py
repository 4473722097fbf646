"""Waiting for a condition instead of sleeping a fixed time: as short as the machine allows,
as long as it needs (up to a timeout that fails the test with what was awaited)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T], what: str = "condition", timeout_s: float = 45.0,
               interval_s: float = 0.2) -> T:
    """Polls ``probe`` until it returns something truthy, and returns that."""
    deadline = time.monotonic() + timeout_s
    while True:
        if result := probe():
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout_s}s")
        time.sleep(interval_s)


async def eventually_async(probe: Callable[[], Awaitable[T]], what: str = "condition",
                           timeout_s: float = 30.0, interval_s: float = 0.05) -> T:
    """``eventually`` for a coroutine probe, without blocking the event loop."""
    deadline = time.monotonic() + timeout_s
    while True:
        if result := await probe():
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout_s}s")
        await asyncio.sleep(interval_s)
