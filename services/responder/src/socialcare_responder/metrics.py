"""The responder's own instruments: send budget use, waits for budget, platform 429s.

Attributes are platform, brand account and budget kind: brand accounts are configured,
so the number of series stays bounded.
"""

import threading
from collections.abc import Iterable

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

from socialcare_responder.domain.budget import Lane

WAIT_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600)


def _attributes(lane: Lane) -> dict[str, str]:
    return {"platform": lane.platform, "account": lane.account, "kind": lane.kind}


class ResponderMetrics:
    def __init__(self, meter: metrics.Meter) -> None:
        self._lock = threading.Lock()
        self._budget: dict[tuple[str, str, str], tuple[int, int, int]] = {}
        meter.create_observable_gauge(
            "socialcare.responder.budget.used", [self._observe(0)], unit="{call}",
            description="Calls counted in the current window of an account's send budget")
        meter.create_observable_gauge(
            "socialcare.responder.budget.limit", [self._observe(1)], unit="{call}",
            description="Calls the responders allow themselves per window (after the margin)")
        meter.create_observable_gauge(
            "socialcare.responder.budget.bulk_limit", [self._observe(2)], unit="{call}",
            description="Calls bulk copies may fill a window to; the rest up to the limit is "
                        "kept for one-off replies (until the window's last tenth)")
        self._waits = meter.create_histogram(
            "socialcare.responder.budget.wait", unit="s",
            description="Time a platform call waited for its account's send budget",
            explicit_bucket_boundaries_advisory=WAIT_BUCKETS)
        self._rate_limited = meter.create_counter(
            "socialcare.responder.rate_limited", unit="{call}",
            description="Platform calls refused as over the platform's rate limit (429)")

    def budget_used(self, lane: Lane, used: int, limit: int, bulk_limit: int) -> None:
        """Notes the latest count of a lane's current window, its limit and bulk's share."""
        with self._lock:
            self._budget[(lane.platform, lane.account, lane.kind)] = (used, limit, bulk_limit)

    def budget_waited(self, lane: Lane, seconds: float) -> None:
        self._waits.record(seconds, _attributes(lane))

    def rate_limited(self, lane: Lane) -> None:
        self._rate_limited.add(1, _attributes(lane))

    def _observe(self, index: int):  # type: ignore[no-untyped-def]
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            with self._lock:
                return [Observation(values[index], {"platform": p, "account": a, "kind": k})
                        for (p, a, k), values in self._budget.items()]
        return observe
