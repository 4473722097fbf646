"""A platform account's send budget: fixed windows, usable share, wait, and send order.

Gateways advertise how many calls a brand account may make per window (``Capabilities``).
Every replica counts its sends in the same window documents, keyed by lane (platform,
account, and posts or direct messages where a platform budgets them apart) and window
start, so the count is shared. Windows are aligned to the epoch: every replica computes the
same key from its own clock.

Priority across replicas: each replica orders its own waiting sends (``send_order``), but
a replica busy with bulk copies cannot see another's urgent reply waiting. So bulk copies
may only fill a window up to ``bulk_reserve`` short of the usable limit; the rest is kept
for one-offs on any replica, until the window's last ``TAIL_SHARE`` where a slot left
unused would be lost and bulk may take it too. No I/O here.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

# The last share of a window in which bulk copies may take the slots kept for one-offs.
TAIL_SHARE = 0.1


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` sends per ``window_s`` seconds; 0 requests: no known limit."""

    requests: int
    window_s: int

    def usable(self, margin: float) -> int:
        """The share of the platform's limit we use, keeping ``margin`` spare (at least 1)."""
        if not 0 <= margin < 1:
            raise ValueError("margin must be in [0, 1)")
        return max(1, math.floor(self.requests * (1 - margin)))

    def allowance(self, margin: float, bulk_reserve: float, bulk: bool,
                  into_window: float) -> int:
        """The count a send may raise a window to: the usable share for one-offs; for bulk
        copies, that less ``bulk_reserve`` of it until the window's tail (``into_window``
        is the seconds since the window began)."""
        if not 0 <= bulk_reserve < 1:
            raise ValueError("bulk_reserve must be in [0, 1)")
        usable = self.usable(margin)
        if not bulk or into_window >= self.window_s * (1 - TAIL_SHARE):
            return usable
        return max(1, usable - math.ceil(usable * bulk_reserve))

    @property
    def unlimited(self) -> bool:
        return self.requests <= 0 or self.window_s <= 0


@dataclass(frozen=True)
class Lane:
    """One budget: a platform account's posts, or its direct messages when counted apart."""

    platform: str
    account: str
    kind: str  # "sends" (everything) or "direct_messages"
    limit: Limit

    def window_start(self, now: float) -> float:
        """Epoch seconds at which the window holding ``now`` began."""
        return now - now % self.limit.window_s

    def window_end(self, now: float) -> float:
        return self.window_start(now) + self.limit.window_s

    def until_next_window(self, now: float) -> float:
        """Seconds until the next window opens (a full window's sends are over)."""
        return max(0.0, self.window_end(now) - now)

    def window_id(self, now: float) -> str:
        """The shared document key of the window holding ``now``, e.g.
        ``x|acme|sends|900|2026-12-03T13:15:00``."""
        start = datetime.fromtimestamp(self.window_start(now), UTC)
        return "|".join((self.platform, self.account, self.kind, str(self.limit.window_s),
                         start.strftime("%Y-%m-%dT%H:%M:%S")))


def lane_for(platform: str, account: str, direct: bool, sends: Limit,
             direct_messages: Limit) -> Lane:
    """The budget a call spends: direct messages have their own where the platform says so."""
    if direct and not direct_messages.unlimited:
        return Lane(platform, account, "direct_messages", direct_messages)
    return Lane(platform, account, "sends", sends)


def send_order(priority: int, bulk: bool, arrival: int) -> tuple[bool, int, int]:
    """Sort key of sends waiting for one budget: one-offs before bulk copies, then higher
    priority, then first come."""
    return (bulk, -priority, arrival)


def wait_s(lane: Lane, now: float, poll_s: float) -> float:
    """How long a send that found its window full sleeps before trying again: until the next
    window, but never more than ``poll_s``, so a waiting worker stays responsive."""
    return min(lane.until_next_window(now), poll_s)
