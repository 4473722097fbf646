"""Response deadlines from business-hours SLA policies.

Default policy: a message that arrives while the brand is open is due within 1 hour; one
that arrives while it is closed is due within 12 hours; never later than 24 hours.
Targets are wall-clock time from receipt, chosen by whether the brand was open at receipt:
the customer waits in wall-clock time, and "1 hour in business hours" means a message
received in opening hours is answered within the next hour, even when the brand closes
in between. Higher priorities may have shorter targets. Opening hours are read in the
brand's time zone on aware datetimes, so DST changes are exact.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "UTC"
    # Weekday index (0 = Monday) -> (opens, closes); a missing day is closed.
    weekly: dict[int, tuple[time, time]] = field(
        default_factory=lambda: {d: (time(9), time(17)) for d in range(5)})
    holidays: frozenset[date] = frozenset()

    def is_open(self, at: datetime) -> bool:
        """True when ``at`` falls inside opening hours on a working day."""
        local = at.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        hours = self.weekly.get(local.weekday())
        return hours is not None and hours[0] <= local.time() < hours[1]


@dataclass(frozen=True)
class PriorityTargets:
    """Targets for conversations at or above ``min_priority``."""

    min_priority: int
    in_hours: timedelta
    after_hours: timedelta
    resolution: timedelta


@dataclass(frozen=True)
class SlaPolicy:
    hours: BusinessHours = BusinessHours()
    in_hours_target: timedelta = timedelta(hours=1)
    after_hours_target: timedelta = timedelta(hours=12)
    ceiling: timedelta = timedelta(hours=24)
    resolution_target: timedelta = timedelta(hours=24)
    by_priority: tuple[PriorityTargets, ...] = ()
    pause_while_waiting: bool = True

    def _targets(self, priority: int) -> PriorityTargets:
        matching = [t for t in self.by_priority if t.min_priority <= priority]
        if not matching:
            return PriorityTargets(0, self.in_hours_target, self.after_hours_target,
                                   self.resolution_target)
        return max(matching, key=lambda t: t.min_priority)

    def first_response_due(self, received_at: datetime, priority: int = 0) -> datetime:
        """When the first response to a message received at ``received_at`` is due."""
        _require_aware(received_at)
        targets = self._targets(priority)
        target = targets.in_hours if self.hours.is_open(received_at) else targets.after_hours
        return received_at + min(target, self.ceiling)

    def resolution_due(self, opened_at: datetime, priority: int = 0) -> datetime:
        """When a conversation opened at ``opened_at`` should be resolved."""
        _require_aware(opened_at)
        return opened_at + self._targets(priority).resolution


def resume_after_pause(due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """A deadline moved on by the time the clock stood still (waiting on the customer)."""
    return due + max(resumed_at - paused_at, timedelta(0))


def at_risk_at(started_at: datetime, due: datetime, share: float) -> datetime:
    """The moment ``share`` of the time from start to deadline has gone (escalation point)."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    return started_at + (due - started_at) * share


def escalation_step(state: str, due: datetime) -> tuple[str, datetime | None]:
    """The step at an escalation point, and the next point: at risk, then breached at ``due``."""
    return ("at_risk", due) if state == "none" else ("breached", None)


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
