import pytest

from socialcare_responder.domain.circuit import CircuitBreaker, CircuitState

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_consecutive_failures() -> None:
    breaker = CircuitBreaker(Clock(), threshold=3, reset_after_s=10)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN and not breaker.allow()


def test_success_resets_the_count() -> None:
    breaker = CircuitBreaker(Clock(), threshold=2, reset_after_s=10)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is CircuitState.CLOSED


def test_half_open_allows_one_trial_that_closes_on_success() -> None:
    clock = Clock()
    breaker = CircuitBreaker(clock, threshold=1, reset_after_s=10)
    breaker.record_failure()
    assert breaker.wait_s() == 10
    clock.now += 10
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED and breaker.allow()


def test_failed_trial_opens_again_for_a_full_period() -> None:
    clock = Clock()
    breaker = CircuitBreaker(clock, threshold=5, reset_after_s=10)
    for _ in range(5):
        breaker.record_failure()
    clock.now += 11
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is CircuitState.OPEN and breaker.wait_s() == 10


def test_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(Clock(), threshold=0)
