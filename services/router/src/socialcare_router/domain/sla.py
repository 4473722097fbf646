"""Response deadlines from business-hours SLA policies.

Default policy: a message that arrives while the brand is open is due within 1 hour; one
that arrives while it is closed is due within 12 hours; never later than 24 hours.
All arithmetic is on aware datetimes in the brand's time zone, so DST changes are exact.
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
class SlaPolicy:
    hours: BusinessHours = BusinessHours()
    in_hours_target: timedelta = timedelta(hours=1)
    after_hours_target: timedelta = timedelta(hours=12)
    ceiling: timedelta = timedelta(hours=24)

    def first_response_due(self, received_at: datetime) -> datetime:
        """When the first response to a message received at ``received_at`` is due."""
        if received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")
        target = self.in_hours_target if self.hours.is_open(received_at) \
            else self.after_hours_target
        return received_at + min(target, self.ceiling)
