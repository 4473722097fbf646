"""The one way SocialCare retries: tenacity with exponential backoff, jitter and a deadline.

Use it as ``Retrying(**retry_policy(...))(function, *args)`` or, in async code,
``await AsyncRetrying(**retry_policy(...))(coroutine_function, *args)``. The last failure
is raised as itself when the policy gives up, so callers handle one exception type.
"""

import logging
from collections.abc import Callable
from typing import Any

from tenacity import (
    RetryCallState,
    retry_if_exception,
    stop_before_delay,
    stop_never,
    wait_exponential,
    wait_random_exponential,
)

log = logging.getLogger(__name__)

# What a failure says about when to come back (a platform's Retry-After), in seconds.
Hint = Callable[[BaseException], float | None]
Stop = Callable[[RetryCallState], bool]


def backoff(initial_s: float, max_s: float, hint: Hint | None = None
            ) -> Callable[[RetryCallState], float]:
    """Waits doubling from ``initial_s`` up to ``max_s``, each drawn from its upper half.

    Jitter spreads the retries of many workers that failed together; keeping the lower half
    out stops a retry from coming back at once. A failure's own ``hint`` wins when it has one.
    """
    # A fixed half plus a random half: uniform between 50% and 100% of the doubling wait.
    doubling = (wait_exponential(multiplier=initial_s / 2, max=max_s / 2)
                + wait_random_exponential(multiplier=initial_s / 2, max=max_s / 2))

    def wait(state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        hinted = hint(failure) if hint and failure is not None else None
        return hinted if hinted is not None else doubling(state)

    return wait


def retry_policy(what: str, retry_on: type[BaseException] | Callable[[BaseException], bool], *,
                 initial_s: float, max_s: float, give_up_after_s: float | None = None,
                 stop: Stop | None = None, hint: Hint | None = None,
                 level: int = logging.WARNING) -> dict[str, Any]:
    """Keyword arguments for tenacity's ``Retrying`` and ``AsyncRetrying``.

    ``retry_on``: an exception class, or a predicate saying which failures a later attempt
    can fix (others are raised at once). The policy gives up before a wait that would end
    past ``give_up_after_s`` from the first attempt, or when ``stop`` says so (it can read
    ``state.upcoming_sleep``). Each retry is logged at ``level`` with the failure's type.
    """
    predicate = retry_on if not isinstance(retry_on, type) else (
        lambda exc: isinstance(exc, retry_on))
    stops = stop_never if give_up_after_s is None else stop_before_delay(give_up_after_s)

    def before_sleep(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        code = getattr(failure, "code", None)
        log.log(level, "%s: %s%s (attempt %d); trying again in %.2f s", what,
                type(failure).__name__, f" {getattr(code, 'name', code)}" if code else "",
                state.attempt_number, state.upcoming_sleep)

    return {"retry": retry_if_exception(predicate),
            "stop": stops if stop is None else stops | stop,
            "wait": backoff(initial_s, max_s, hint), "before_sleep": before_sleep,
            "reraise": True}
