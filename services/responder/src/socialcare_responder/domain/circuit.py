"""A circuit breaker per platform: stop calling a platform that keeps failing, then probe.

Closed: calls go through, consecutive failures are counted. Open (after ``threshold``
failures): no calls until ``reset_after_s`` has passed. Half-open: one trial call; its
success closes the circuit, its failure opens it again for another period.
"""

from collections.abc import Callable
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, clock: Callable[[], float], threshold: int = 5,
                 reset_after_s: float = 30.0) -> None:
        if threshold < 1 or reset_after_s <= 0:
            raise ValueError("threshold must be >= 1 and reset_after_s > 0")
        self._clock = clock
        self.threshold = threshold
        self.reset_after_s = reset_after_s
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._clock() - self._opened_at >= self.reset_after_s:
            return CircuitState.HALF_OPEN
        return CircuitState.OPEN

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state only one trial at a time."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def wait_s(self) -> float:
        """Seconds until the next call may be tried (0 when closed)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._opened_at + self.reset_after_s - self._clock())

    def record_success(self) -> None:
        self._failures, self._opened_at, self._trial_running = 0, None, False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._trial_running = False
