"""The spike traffic model: phases, rates, the open-loop schedule and its batches."""

import pytest

from bench.spike.traffic import AFTER, BASELINE, SPIKE, TrafficModel

pytestmark = pytest.mark.unit

MODEL = TrafficModel(baseline=50, factor=10, before_s=10, spike_s=30, after_s=20)


def test_the_rate_is_baseline_then_ten_times_then_back() -> None:
    assert [MODEL.rate_at(t) for t in (0, 9.99, 10, 39.99, 40, 59.99, 60, -1)] == [
        50, 50, 500, 500, 50, 50, 0, 0]
    assert [MODEL.phase_at(t) for t in (5, 10, 45)] == [BASELINE, SPIKE, AFTER]
    assert MODEL.duration == 60 and MODEL.spike_end == 40


def test_the_schedule_offers_each_phase_at_its_rate_evenly_spaced() -> None:
    offsets = MODEL.send_offsets()

    assert len(offsets) == MODEL.expected() == 50 * 10 + 500 * 30 + 50 * 20
    assert offsets == sorted(offsets) and offsets[0] == 0 and offsets[-1] < 60
    spike = [t for t in offsets if 10 <= t < 40]
    assert len(spike) == 15_000
    assert spike[1] - spike[0] == pytest.approx(1 / 500)
    assert sum(1 for t in offsets if 40 <= t < 41) == 50


def test_batches_keep_every_message_and_the_time_it_is_due() -> None:
    batches = MODEL.batches(0.1)

    assert sum(n for _, n in batches) == MODEL.expected()
    assert batches[0] == (0.0, 5)
    assert max(n for _, n in batches) == 50
    times = [t for t, _ in batches]
    assert times == sorted(set(times))


def test_a_model_without_a_spike_phase_has_no_spike() -> None:
    flat = TrafficModel(baseline=20, factor=10, before_s=5, spike_s=0, after_s=5)
    assert [name for name, *_ in flat.phases()] == [BASELINE, AFTER]
    assert flat.expected() == 200


@pytest.mark.parametrize("kwargs", [{"baseline": 0}, {"factor": 0.5}, {"spike_s": -1}])
def test_nonsense_models_are_refused(kwargs: dict[str, float]) -> None:
    values = {"baseline": 50, "factor": 10, "before_s": 1, "spike_s": 1, "after_s": 1, **kwargs}
    with pytest.raises(ValueError):
        TrafficModel(**values)
