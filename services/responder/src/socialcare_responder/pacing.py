"""Paces platform calls inside each account's shared budget, most urgent first.

Before every platform call a send takes a slot of its lane's current window in the shared
store. With none free it sleeps until the next window opens (at most ``poll_s`` at a time)
and tries again: a throttled reply waits for budget instead of failing. Only the first of a
lane's waiting sends in this process asks the store; the others queue behind it in
``send_order`` (one-offs before bulk copies, higher priority first), so when the budget is
short the urgent replies take the slots that open. Across replicas, bulk copies leave a
reserve of each window to one-offs (``Limit.allowance``). Sends of other lanes never wait
on it.
"""

import asyncio
import heapq
import itertools
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from socialcare_responder.adapters.budget import BudgetStore
from socialcare_responder.domain.budget import Lane, wait_s
from socialcare_responder.metrics import ResponderMetrics

log = logging.getLogger(__name__)


@dataclass(order=True)
class _Waiter:
    order: tuple[bool, int, int]
    turn: asyncio.Event = field(compare=False, default_factory=asyncio.Event)


class SendBudget:
    def __init__(self, store: BudgetStore, metrics: ResponderMetrics, margin: float = 0.1,
                 poll_s: float = 2.0, bulk_reserve: float = 0.2,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.store = store
        self.metrics = metrics
        self.margin = margin
        self.bulk_reserve = bulk_reserve
        self.poll_s = poll_s
        self.clock = clock
        self.sleep = sleep
        self._queues: dict[tuple[str, str, str], list[_Waiter]] = {}
        self._recorded: dict[tuple[str, str, str], Lane] = {}
        self._arrivals = itertools.count()

    async def take(self, lane: Lane, priority: int = 0, bulk: bool = False) -> float:
        """Waits for and takes one slot of ``lane``'s budget; returns the seconds waited."""
        if lane.limit.unlimited:
            return 0.0
        await self._record_quota(lane)
        started = self.clock()
        queue = self._queues.setdefault((lane.platform, lane.account, lane.kind), [])
        me = _Waiter((bulk, -priority, next(self._arrivals)))
        heapq.heappush(queue, me)
        try:
            while True:
                if queue[0] is not me:
                    me.turn.clear()
                    await me.turn.wait()
                    continue
                if await self._try(lane, bulk):
                    waited = self.clock() - started
                    if waited > 0.05:
                        self.metrics.budget_waited(lane, waited)
                    return waited
                # Jitter spreads the replicas that all wake at the window's start.
                await self.sleep(wait_s(lane, self.clock(), self.poll_s)
                                 + random.uniform(0, 0.02))
        finally:
            queue.remove(me)
            heapq.heapify(queue)
            if queue:
                queue[0].turn.set()

    async def exhausted(self, lane: Lane) -> None:
        """The platform refused a call as over its limit: count it and close the window for
        every replica, so none learns it again from another 429."""
        self.metrics.rate_limited(lane)
        if lane.limit.unlimited:
            return
        now = self.clock()
        usable = lane.limit.usable(self.margin)
        await self.store.exhaust(lane.window_id(now), usable, lane.window_end(now))
        self.metrics.budget_used(lane, usable, usable, self._bulk_limit(lane))

    async def _record_quota(self, lane: Lane) -> None:
        """Writes the lane's limits for the inbox when first used here or changed."""
        key = (lane.platform, lane.account, lane.kind)
        if self._recorded.get(key) == lane:
            return
        await self.store.record_quota(
            lane.platform, lane.account, lane.kind, lane.limit.requests, lane.limit.window_s,
            self._bulk_limit(lane))
        self._recorded[key] = lane

    def _bulk_limit(self, lane: Lane) -> int:
        """What bulk copies may fill a window to before its tail."""
        return lane.limit.allowance(self.margin, self.bulk_reserve, bulk=True, into_window=0)

    async def _try(self, lane: Lane, bulk: bool) -> bool:
        now = self.clock()
        usable = lane.limit.usable(self.margin)
        allowed = lane.limit.allowance(self.margin, self.bulk_reserve, bulk,
                                       now - lane.window_start(now))
        window = lane.window_id(now)
        used = await self.store.take(window, allowed, lane.window_end(now))
        if used is None and allowed < usable:
            # Refused a bulk copy: only the bulk share is known full, and one-off replies
            # may still have room, so the gauge shows the count, not the usable limit.
            used_now = await self.store.used(window)
        else:
            used_now = usable if used is None else used
        self.metrics.budget_used(lane, used_now, usable, self._bulk_limit(lane))
        return used is not None
