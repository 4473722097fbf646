"""The bounded dict behind recent ids, in-flight sends and recent contacts."""

import pytest

from socialcare_runtime.bounded import BoundedDict

pytestmark = pytest.mark.unit


def test_the_least_recently_written_key_goes_first() -> None:
    recent: BoundedDict[str, None] = BoundedDict(2)
    for key in ("a", "b", "a", "c"):  # "a" written again, so "b" is the oldest
        recent[key] = None
    assert "a" in recent and "c" in recent and "b" not in recent and len(recent) == 2


def test_reading_does_not_keep_a_key_and_capacity_zero_remembers_nothing() -> None:
    seen: BoundedDict[str, int] = BoundedDict(2)
    seen["a"], seen["b"] = 1, 2
    assert seen.get("a") == 1
    seen["c"] = 3
    assert list(seen) == ["b", "c"]
    disabled: BoundedDict[str, None] = BoundedDict(0)
    disabled["a"] = None
    assert "a" not in disabled
