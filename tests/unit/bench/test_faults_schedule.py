"""Fault schedule: every fault the asked number of times, spread over the window, seeded."""

import pytest

from bench.faults.schedule import fault_kinds, plan

pytestmark = pytest.mark.unit


def test_every_kind_happens_repeats_times_within_the_window() -> None:
    kinds = fault_kinds()
    schedule = plan(kinds, repeats=3, duration_s=600, seed=7)
    assert sorted(f.kind for f in schedule) == sorted(kinds * 3)
    times = [f.at_s for f in schedule]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert 600 * 0.05 <= times[0] and times[-1] <= 600 * 0.8


def test_the_same_seed_gives_the_same_schedule_and_another_seed_another() -> None:
    kinds = fault_kinds()
    assert plan(kinds, 2, 100, seed=1) == plan(kinds, 2, 100, seed=1)
    assert plan(kinds, 2, 100, seed=1) != plan(kinds, 2, 100, seed=2)


def test_the_gateway_stand_in_for_the_platform_is_never_killed() -> None:
    kinds = fault_kinds()
    assert "kill:gateway-sandbox" not in kinds
    assert {"restart:kafka", "restart:mongo", "kill:router-worker", "poison"} <= set(kinds)


@pytest.mark.parametrize("repeats, duration", [(0, 10), (1, 0)])
def test_a_schedule_needs_a_repeat_and_a_window(repeats: int, duration: float) -> None:
    with pytest.raises(ValueError):
        plan(fault_kinds(), repeats, duration, seed=1)
