"""The send budget's window arithmetic, lanes and order, and the pacer over a fake store."""

import asyncio
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.metrics import NoOpMeter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from socialcare_responder.domain.budget import Lane, Limit, lane_for, send_order, wait_s
from socialcare_responder.metrics import ResponderMetrics
from socialcare_responder.pacing import SendBudget

pytestmark = pytest.mark.unit
X = Lane("x", "acme", "sends", Limit(100, 900))


def test_windows_are_aligned_so_every_replica_names_the_same_one() -> None:
    at = 1_796_303_700.0 + 123.4  # 2026-12-03T13:15:00Z plus 2 min
    assert X.window_start(at) == 1_796_303_700.0
    assert X.window_id(at) == "x|acme|sends|900|2026-12-03T13:15:00"
    assert X.window_id(at + 776.5) == X.window_id(at)
    assert X.window_id(at + 776.6) == "x|acme|sends|900|2026-12-03T13:30:00"
    assert X.until_next_window(at) == pytest.approx(776.6)


def test_a_full_window_waits_until_the_next_but_never_longer_than_the_poll() -> None:
    at = 1_796_303_700.0 + 899.0
    assert wait_s(X, at, poll_s=5) == pytest.approx(1.0)
    assert wait_s(X, at - 600, poll_s=5) == 5


def test_the_margin_keeps_a_share_spare_but_leaves_at_least_one_call() -> None:
    assert Limit(100, 900).usable(0.1) == 90
    assert Limit(5, 2).usable(0) == 5
    assert Limit(1, 60).usable(0.5) == 1
    with pytest.raises(ValueError):
        Limit(5, 2).usable(1)
    assert Limit(0, 900).unlimited and Limit(5, 0).unlimited and not Limit(5, 2).unlimited


def test_direct_messages_spend_their_own_budget_only_where_the_platform_has_one() -> None:
    sends, dms = Limit(100, 900), Limit(40, 3600)
    assert lane_for("x", "acme", True, sends, dms).kind == "direct_messages"
    assert lane_for("x", "acme", False, sends, dms).limit == sends
    assert lane_for("facebook", "acme", True, sends, Limit(0, 0)).kind == "sends"


def test_one_offs_go_before_bulk_copies_then_by_priority_then_arrival() -> None:
    waiting = {"bulk-urgent": send_order(90, True, 0), "normal": send_order(10, False, 1),
               "urgent": send_order(90, False, 2), "normal-later": send_order(10, False, 3),
               "bulk": send_order(0, True, 4)}
    assert sorted(waiting, key=waiting.__getitem__) == \
        ["urgent", "normal", "normal-later", "bulk-urgent", "bulk"]


class FakeStore:
    """Counts like the MongoDB store: a conditional increment per window id."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def take(self, window_id: str, limit: int, window_end: float) -> int | None:
        await asyncio.sleep(0)  # a round trip: other sends interleave here
        if self.counts[window_id] >= limit:
            return None
        self.counts[window_id] += 1
        return self.counts[window_id]

    async def exhaust(self, window_id: str, limit: int, window_end: float) -> None:
        self.counts[window_id] = max(self.counts[window_id], limit)

    async def used(self, window_id: str) -> int:
        return self.counts[window_id]

    async def record_quota(self, *args: object) -> None:
        self.quotas = args


class Clock:
    """Virtual time: a sleep waits until the test moves time on to its end."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sleepers.append((self.now + seconds, woken))
        await woken

    async def settle(self) -> None:
        """Lets every task run until it sleeps or waits for its turn."""
        for _ in range(50):
            await asyncio.sleep(0)

    async def wake_next(self) -> None:
        """Moves time to the earliest sleeper's end and wakes every sleeper due by then."""
        self.now = min(t for t, _ in self.sleepers)
        due = [f for t, f in self.sleepers if t <= self.now]
        self.sleepers = [(t, f) for t, f in self.sleepers if t > self.now]
        for woken in due:
            if not woken.done():
                woken.set_result(None)
        await self.settle()

    async def run(self, tasks: list[asyncio.Task]) -> None:
        await self.settle()
        while not all(t.done() for t in tasks):
            await self.wake_next()
        await asyncio.gather(*tasks)


def pacer(clock: Clock, store: FakeStore | None = None, margin: float = 0.0,
          bulk_reserve: float = 0.0, metrics: ResponderMetrics | None = None) -> SendBudget:
    return SendBudget(store or FakeStore(),  # type: ignore[arg-type]
                      metrics or ResponderMetrics(NoOpMeter("t")),
                      margin=margin, poll_s=0.5, bulk_reserve=bulk_reserve, clock=clock,
                      sleep=clock.sleep)


@settings(max_examples=60, deadline=None)
@given(limit=st.integers(1, 6), window_s=st.integers(1, 5), sends=st.integers(1, 30),
       replicas=st.integers(1, 3), start=st.floats(0, 10_000, allow_nan=False))
def test_no_window_ever_holds_more_than_the_limit_across_replicas(
        limit: int, window_s: int, sends: int, replicas: int, start: float) -> None:
    async def run() -> list[float]:
        clock, store = Clock(1_700_000_000.0 + start), FakeStore()
        budgets = [pacer(clock, store) for _ in range(replicas)]
        lane = Lane("x", "acme", "sends", Limit(limit, window_s))
        times: list[float] = []

        async def send(i: int) -> None:
            await budgets[i % replicas].take(lane, priority=i % 3)
            times.append(clock())

        await clock.run([asyncio.create_task(send(i)) for i in range(sends)])
        return times

    times = asyncio.run(run())
    per_window = Counter(t - t % window_s for t in times)
    assert len(times) == sends and max(per_window.values()) <= limit
    # Paced, not stalled: the sends fill whole windows one after another.
    assert len(per_window) <= -(-sends // limit) + 1


async def test_when_the_budget_is_short_urgent_sends_take_the_slots_that_open() -> None:
    clock = Clock(1_700_000_000.0)
    budget = pacer(clock)
    lane = Lane("x", "acme", "sends", Limit(2, 10))
    sent: list[str] = []

    async def send(name: str, priority: int, bulk: bool) -> None:
        await budget.take(lane, priority, bulk)
        sent.append(name)

    tasks = [asyncio.create_task(send(f"bulk-{i}", 0, True)) for i in range(4)]
    await clock.settle()  # two bulk copies took this window; two wait
    tasks += [asyncio.create_task(send(f"urgent-{i}", 80, False)) for i in range(2)]
    await clock.run(tasks)
    assert sent[:2] == ["bulk-0", "bulk-1"]
    assert sent[2:4] == ["urgent-0", "urgent-1"]  # ahead of bulk copies waiting longer
    assert sent[4:] == ["bulk-2", "bulk-3"]


async def test_another_accounts_sends_never_wait_behind_a_full_one() -> None:
    clock = Clock(1_700_000_000.0)
    budget = pacer(clock)
    full = Lane("x", "acme", "sends", Limit(1, 900))
    await budget.take(full)
    waiting = asyncio.create_task(budget.take(full))
    await clock.settle()
    assert await budget.take(Lane("x", "other", "sends", Limit(1, 900))) == 0
    assert not waiting.done()
    await clock.run([waiting])
    # It waited for the next window instead of failing.
    assert waiting.result() == pytest.approx(full.until_next_window(1_700_000_000.0), abs=0.1)
    assert budget._queues[("x", "acme", "sends")] == []


async def test_a_429_closes_the_window_for_every_replica() -> None:
    clock, store = Clock(1_700_000_000.0), FakeStore()
    lane = Lane("x", "acme", "sends", Limit(10, 60))
    await pacer(clock, store).exhausted(lane)
    taking = asyncio.create_task(pacer(clock, store).take(lane))
    await clock.run([taking])
    assert taking.result() == pytest.approx(lane.until_next_window(1_700_000_000.0), abs=0.1)


async def test_a_cancelled_waiter_leaves_the_queue_and_hands_over_its_turn() -> None:
    clock = Clock(1_700_000_000.0)
    budget = pacer(clock)
    lane = Lane("x", "acme", "sends", Limit(1, 60))
    await budget.take(lane)
    first = asyncio.create_task(budget.take(lane, priority=50))
    second = asyncio.create_task(budget.take(lane, priority=10))
    await clock.settle()
    first.cancel()
    await clock.run([second])
    assert second.result() > 0 and budget._queues[("x", "acme", "sends")] == []


def test_bulk_copies_leave_a_reserve_to_one_offs_until_the_windows_tail() -> None:
    limit = Limit(100, 900)  # 90 usable with a 10 % margin
    assert limit.allowance(0.1, 0.2, bulk=False, into_window=0) == 90
    assert limit.allowance(0.1, 0.2, bulk=True, into_window=0) == 72
    assert limit.allowance(0.1, 0.2, bulk=True, into_window=809) == 72
    assert limit.allowance(0.1, 0.2, bulk=True, into_window=810) == 90  # the last tenth
    assert Limit(1, 60).allowance(0, 0.5, bulk=True, into_window=0) == 1  # never zero
    with pytest.raises(ValueError):
        limit.allowance(0.1, 1, bulk=True, into_window=0)


def test_an_urgent_reply_on_another_replica_gets_a_slot_while_bulk_fills_the_window() -> None:
    async def run() -> tuple[list[tuple[str, float]], int]:
        clock, store = Clock(1_700_000_000.0), FakeStore()
        bulk_replica, other_replica = (pacer(clock, store, bulk_reserve=0.2),
                                       pacer(clock, store, bulk_reserve=0.2))
        lane = Lane("x", "acme", "sends", Limit(10, 10))
        sent: list[tuple[str, float]] = []

        async def send(budget: SendBudget, name: str, bulk: bool) -> None:
            await budget.take(lane, priority=0 if bulk else 90, bulk=bulk)
            sent.append((name, clock()))

        copies = [asyncio.create_task(send(bulk_replica, f"copy{i}", True)) for i in range(30)]
        await clock.settle()
        urgent = asyncio.create_task(send(other_replica, "urgent", False))
        await clock.run([*copies, urgent])
        return sent, store.counts[lane.window_id(1_700_000_000.0)]

    sent, first_window = asyncio.run(run())
    at = dict(sent)
    # The copies took 8 of the first window's 10 at once; the urgent reply, on a replica
    # that cannot see them, still went in that window, not after the 30 copies.
    assert at["urgent"] == 1_700_000_000.0
    assert sum(1 for name, t in sent if name != "urgent" and t == 1_700_000_000.0) == 8
    assert first_window <= 10
    assert len(sent) == 31


async def test_the_gauge_shows_bulk_full_apart_from_a_full_window() -> None:
    reader = InMemoryMetricReader()
    clock = Clock(1_700_000_000.0)
    budget = pacer(clock, bulk_reserve=0.2,
                   metrics=ResponderMetrics(MeterProvider([reader]).get_meter("t")))
    lane = Lane("x", "acme", "sends", Limit(10, 900))

    def gauges() -> dict[str, int]:
        data = reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics
        return {name: int(m.data.data_points[0].value) for m in data
                if (name := m.name.removeprefix("socialcare.responder.budget."))
                in ("used", "limit", "bulk_limit")}

    for _ in range(8):
        await budget.take(lane, bulk=True)
    waiting = asyncio.create_task(budget.take(lane, bulk=True))
    await clock.settle()
    # Bulk has its 8 and waits; 2 slots are still there for one-off replies: not full.
    assert not waiting.done()
    assert gauges() == {"used": 8, "limit": 10, "bulk_limit": 8}
    await budget.take(lane, priority=90)
    assert gauges()["used"] == 9
    waiting.cancel()
