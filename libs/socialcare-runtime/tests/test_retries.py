"""The one retry policy: doubling waits with jitter, hints, deadlines, what is retried."""

import logging

import pytest
from tenacity import AsyncRetrying, Retrying

from socialcare_runtime.retries import retry_policy

pytestmark = pytest.mark.unit


class Flaky(Exception):
    def __init__(self, retry_after_s: float | None = None) -> None:
        super().__init__("customer dana@example.com said so")  # must never reach the log
        self.retry_after_s = retry_after_s


def failing(times: int, error: Exception) -> tuple[list[int], object]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "done"

    return calls, call


def test_waits_double_up_to_the_cap_each_in_the_upper_half_of_its_step() -> None:
    sleeps: list[float] = []
    calls, call = failing(6, Flaky())
    result = Retrying(**retry_policy("test", Flaky, initial_s=0.2, max_s=1.0),
                      sleep=sleeps.append)(call)
    assert result == "done" and len(calls) == 7
    ceilings = [0.2, 0.4, 0.8, 1.0, 1.0, 1.0]
    assert all(c / 2 <= s <= c for s, c in zip(sleeps, ceilings, strict=True)), sleeps


def test_a_failures_own_hint_is_the_wait() -> None:
    sleeps: list[float] = []
    _, call = failing(2, Flaky(retry_after_s=7.5))
    Retrying(**retry_policy("test", Flaky, initial_s=0.2, max_s=1.0,
                            hint=lambda exc: getattr(exc, "retry_after_s", None)),
             sleep=sleeps.append)(call)
    assert sleeps == [7.5, 7.5]


def test_what_a_retry_cannot_fix_is_raised_at_once() -> None:
    calls, call = failing(5, ValueError("bad input"))
    with pytest.raises(ValueError, match="bad input"):
        Retrying(**retry_policy("test", Flaky, initial_s=0.01, max_s=0.01),
                 sleep=lambda _: None)(call)
    assert len(calls) == 1


def test_gives_up_before_a_wait_that_would_end_past_the_deadline() -> None:
    sleeps: list[float] = []
    calls, call = failing(100, Flaky())
    with pytest.raises(Flaky):  # the failure itself, not tenacity's RetryError
        Retrying(**retry_policy("test", Flaky, initial_s=1.0, max_s=60.0, give_up_after_s=5.0),
                 sleep=sleeps.append)(call)
    # No real time passes with this sleep: the deadline counts the waits themselves.
    assert 1 <= len(sleeps) < len(calls) < 100 and sleeps[-1] < 5.0


def test_a_stop_rule_sees_the_coming_wait() -> None:
    seen: list[float] = []

    def stop(state) -> bool:  # type: ignore[no-untyped-def]
        seen.append(state.upcoming_sleep)
        return len(seen) == 3

    calls, call = failing(100, Flaky())
    with pytest.raises(Flaky):
        Retrying(**retry_policy("test", Flaky, initial_s=0.1, max_s=0.1, stop=stop),
                 sleep=lambda _: None)(call)
    assert len(calls) == 3 and all(0.05 <= s <= 0.1 for s in seen)


async def test_async_callers_get_the_same_policy(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    async def call() -> int:
        calls.append(1)
        if len(calls) < 3:
            raise Flaky()
        return len(calls)

    async def no_sleep(_: float) -> None:
        return None

    caplog.set_level(logging.WARNING, logger="socialcare_runtime.retries")
    policy = retry_policy("reply r-1", lambda exc: isinstance(exc, Flaky), initial_s=0.1,
                          max_s=0.1)
    assert await AsyncRetrying(**policy, sleep=no_sleep)(call) == 3
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["reply r-1: Flaky"] * 2
    assert "example.com" not in caplog.text  # the failure's text stays out of the log
