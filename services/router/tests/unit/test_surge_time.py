"""Surges in event time: the minute a message counts in, how far the minutes are complete, and
an incident that opens and closes on the router's progress, not on the wall clock."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.domain.surge import Reading, SurgePolicy
from socialcare_router.domain.surge_time import (
    IDLE_AFTER,
    LATE,
    Move,
    Running,
    Step,
    complete_through,
    counted_at,
    step,
)

pytestmark = pytest.mark.unit
POLICY = SurgePolicy()  # a 5-minute window: its span is 6 minutes
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def test_a_message_counts_when_it_was_written_however_late_it_is_routed() -> None:
    written = NOW - 3 * MINUTE  # a router three minutes behind
    assert counted_at(written, written + timedelta(seconds=2), NOW, POLICY) == written
    assert counted_at(written, None, NOW, POLICY) == written


def test_a_platform_clock_ahead_of_ours_counts_when_ingest_received_it() -> None:
    received = NOW - 2 * MINUTE
    assert counted_at(received + timedelta(seconds=30), received, NOW, POLICY) == received
    # Without ingest's time, and ahead of the router's own: the current minute.
    assert counted_at(NOW + MINUTE, None, NOW, POLICY) == NOW


def test_history_is_not_counted() -> None:
    # An import: written hours before ingest took it.
    assert counted_at(NOW - timedelta(hours=3), NOW, NOW, POLICY) is None
    # Written more than the window's span before it arrived: it could only make a past surge.
    assert counted_at(NOW - 7 * MINUTE, NOW, NOW, POLICY) is None
    assert counted_at(NOW - 5 * MINUTE, NOW, NOW, POLICY) == NOW - 5 * MINUTE
    # A redelivery hours later (ingest received it then).
    old = NOW - LATE - MINUTE
    assert counted_at(old, old, NOW, POLICY) is None


@given(created=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1),
                            timezones=st.just(UTC)),
       delay_s=st.integers(min_value=-600, max_value=86_400))
def test_a_counted_time_is_never_after_now_nor_after_ingest(created: datetime,
                                                            delay_s: int) -> None:
    received = created + timedelta(seconds=delay_s)
    now = max(received, NOW)
    at = counted_at(created, received, now, POLICY)
    assert at is None or at <= min(received, now)


def test_the_minutes_are_complete_up_to_the_frontier_while_the_router_works() -> None:
    behind = NOW - 4 * MINUTE
    assert complete_through(behind, NOW - timedelta(seconds=1), NOW) == behind
    # It has routed nothing for a while: it has caught up, the minutes up to now are done.
    assert complete_through(behind, NOW - IDLE_AFTER, NOW) == NOW
    assert complete_through(None, None, NOW) == NOW
    assert complete_through(NOW + MINUTE, NOW, NOW) == NOW


def reading(per_minute: float, baseline: float = 1.0) -> Reading:
    messages = int(per_minute * POLICY.window_minutes)
    return Reading("acme", "*", messages, 0, per_minute, baseline)


def test_an_incident_opens_on_a_surge_and_is_measured_while_it_lasts() -> None:
    assert step(None, reading(10), NOW, POLICY).move is Move.OPEN
    assert step(None, reading(2), NOW, POLICY).move is None
    running = Running(peak_per_minute=10, quiet_since=None)
    assert step(running, reading(10), NOW, POLICY) == Step(Move.MEASURE)
    assert step(running, reading(13), NOW, POLICY) == Step(Move.PEAK)


def test_a_lagging_router_does_not_close_an_incident_on_minutes_it_has_not_routed() -> None:
    """Calm is judged in event time: the wall clock passing the quiet minutes is not enough."""
    wall = NOW
    frontier = NOW - 10 * MINUTE  # routing is ten minutes behind
    running = Running(peak_per_minute=10, quiet_since=None)
    ticks = []
    for _ in range(12):  # a tick a minute of wall clock; routing gains 20 s a minute
        at = complete_through(frontier, wall - timedelta(seconds=1), wall)
        decided = step(running, reading(0.5), at, POLICY)
        ticks.append(decided.move)
        running = Running(10, decided.quiet_since)
        wall += MINUTE
        frontier += timedelta(seconds=20)
    # Twelve wall-clock minutes of calm, but only four of event time: still open.
    assert Move.CLOSE not in ticks
    assert running.quiet_since == NOW - 10 * MINUTE
    # Routing reaches five calm minutes of event time: it closes, as of then.
    at = NOW - 5 * MINUTE
    assert step(running, reading(0.5), at, POLICY) == Step(Move.CLOSE, NOW - 10 * MINUTE)


def test_a_surge_again_ends_the_calm() -> None:
    quiet = Running(peak_per_minute=10, quiet_since=NOW - 3 * MINUTE)
    assert step(quiet, reading(10), NOW, POLICY) == Step(Move.MEASURE, None)
    assert step(quiet, reading(1.2), NOW, POLICY) == Step(Move.MEASURE, NOW - 3 * MINUTE)
