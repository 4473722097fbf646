"""Surge detection in event time: the minute a message counts in, the time up to which the
minutes are complete, and what a reading at that time does to an incident. Pure, no I/O.

A router that lags counts its messages in the minutes they were written, minutes behind
the wall clock; the surge is judged on the window ending where routing has got to (the
frontier), so a burst is seen however late it is routed, its incident opening at the time
of the burst, and a calm is judged on minutes the router has passed, never on ones it has
not reached yet.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from socialcare_router.domain.surge import Reading, SurgePolicy, calm, closes, surging

# A new peak is announced only when it is clearly higher, not at every tick.
PEAK_STEP = 1.25
# Routed this long after ingest received it, a message is a redelivery (or the router has
# stopped being of use to surge detection): it is not counted.
LATE = timedelta(hours=1)
# No message routed for this long: the router has caught up (it routes without pause
# while behind; its flushes ran 10-40 s late in the worst spike measured).
IDLE_AFTER = timedelta(seconds=60)


def window_span(policy: SurgePolicy) -> timedelta:
    """The whole minutes of the window and the one under way."""
    return timedelta(minutes=policy.window_minutes + 1)


def counted_at(created_at: datetime, received_at: datetime | None, now: datetime,
               policy: SurgePolicy) -> datetime | None:
    """When a routed customer message counts, or None when it is history.

    It counts when it was written; a platform clock ahead of ours (written "after" ingest
    received it) counts when ingest received it. Written more than the window's span
    before ingest received it (an import of history, a backfill), or routed more than
    ``LATE`` after (a redelivery hours later), it is not counted: it could only make an
    incident of the past.
    """
    arrived = min(received_at or now, now)
    at = min(created_at, arrived)
    if arrived - at > window_span(policy) or now - arrived > LATE:
        return None
    return at


def complete_through(frontier: datetime | None, routed_at: datetime | None,
                     now: datetime, idle_after: timedelta = IDLE_AFTER) -> datetime:
    """The event time up to which routing is complete: where the judged window ends.

    ``frontier`` is the newest event time counted and ``routed_at`` the wall-clock time of
    the last count: while the router keeps counting, the frontier (behind now when it
    lags); once it has counted nothing for ``idle_after``, now.
    """
    if frontier is None or routed_at is None or now - routed_at >= idle_after:
        return now
    return min(frontier, now)


class Move(Enum):
    OPEN = "open"
    MEASURE = "measure"  # the running incident's figures are updated, nothing announced
    PEAK = "peak"  # ... and a new peak announced
    CLOSE = "close"


@dataclass(frozen=True)
class Running:
    """What the decision needs of an open incident."""

    peak_per_minute: float
    quiet_since: datetime | None


@dataclass(frozen=True)
class Step:
    move: Move | None
    quiet_since: datetime | None = None


def step(running: Running | None, reading: Reading, at: datetime, policy: SurgePolicy
         ) -> Step:
    """What the reading of the window ending at event time ``at`` does to the brand's (or
    intent's) incident: none open, it opens on a surge; open, it closes after
    ``quiet_minutes`` of calm in event time, else it is measured (a clearly higher rate
    announced as a new peak)."""
    if running is None:
        return Step(Move.OPEN if surging(reading, policy) else None)
    quiet_since = (running.quiet_since or at) if calm(reading, policy) else None
    if closes(quiet_since, at, policy):
        return Step(Move.CLOSE, quiet_since)
    peak = reading.per_minute > running.peak_per_minute * PEAK_STEP
    return Step(Move.PEAK if peak else Move.MEASURE, quiet_since)
