"""Platform adapters: pure functions from a platform payload to NormalizedMessages.

Each adapter returns the customer messages in a payload (events it does not handle, the
brand's own posts and other accounts' events are left out) or raises ``Rejected`` with a
reason; adding a platform means adding one module here.
"""

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ParamSpec, TypeVar

from pydantic import ValidationError

from socialcare_contracts.messages import NormalizedMessage

P = ParamSpec("P")
R = TypeVar("R")


class Rejected(ValueError):
    """The payload cannot be used; the message says why (safe to return to the sender)."""


def mapping(value: Any, where: str) -> dict[str, Any]:
    """``value`` as a JSON object, or a rejection naming where it was expected."""
    if not isinstance(value, dict):
        raise Rejected(f"{where} must be an object")
    return value


def items(value: Any, where: str) -> list[Any]:
    """``value`` as a JSON array (absent means empty), or a rejection."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Rejected(f"{where} must be an array")
    return value


def string(value: Any, where: str, required: bool = True) -> str | None:
    """A non-empty id or text; numbers are accepted as ids because platforms mix both."""
    if isinstance(value, bool):
        raise Rejected(f"{where} must be a string")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and (value or not required):
        return value
    if value is None and not required:
        return None
    raise Rejected(f"{where} must be a non-empty string")


def epoch(value: Any, where: str, millis: bool) -> datetime:
    """A platform epoch timestamp (seconds or milliseconds, number or digit string)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"{where} must be an epoch timestamp")
    try:
        return datetime.fromtimestamp(value / 1000 if millis else value, UTC)
    except (OverflowError, OSError, ValueError):
        raise Rejected(f"{where} is out of range") from None


TWITTER_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # Wed Oct 10 20:19:24 +0000 2018
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_WEEKDAYS = frozenset(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))


def twitter_time(value: str) -> datetime:
    """X's v1 date (also the TWCS ``created_at``); ``ValueError`` if it is not one.

    The common shape is split by hand: ``strptime`` was a tenth of a bulk import's time.
    """
    parts = value.split(" ")
    if (len(parts) == 6 and parts[0] in _WEEKDAYS and parts[1] in _MONTHS
            and len(parts[3]) == 8 and parts[3].replace(":", "").isdigit()
            and parts[2].isdigit() and parts[5].isdigit()
            and len(parts[4]) == 5 and parts[4][0] in "+-" and parts[4][1:].isdigit()):
        try:
            hour, minute, second = (int(x) for x in parts[3].split(":"))
            offset = timedelta(hours=int(parts[4][1:3]), minutes=int(parts[4][3:]))
            return datetime(int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hour, minute,
                            second, tzinfo=UTC if not offset else timezone(
                                offset if parts[4][0] == "+" else -offset))
        except ValueError:
            pass
    return datetime.strptime(value, TWITTER_TIME_FORMAT)


def _reason(where: str, exc: ValidationError) -> Rejected:
    first = exc.errors(include_url=False)[0]
    return Rejected(f"{where}: {'.'.join(map(str, first['loc']))}: {first['msg']}")


def build(where: str, **fields: Any) -> NormalizedMessage:
    """The model from ``fields``, field errors turned into one readable rejection."""
    try:
        return NormalizedMessage(**fields)
    except ValidationError as exc:
        raise _reason(where, exc) from None


def adapter(function: Callable[P, R]) -> Callable[P, R]:
    """Marks an adapter entry point: any model error left becomes a ``Rejected``."""

    @functools.wraps(function)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except ValidationError as exc:
            raise _reason("payload", exc) from None
        except RecursionError:
            raise Rejected("payload is nested too deeply") from None

    return guarded
