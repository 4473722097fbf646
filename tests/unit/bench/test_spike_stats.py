"""Spike benchmark figures: percentiles per phase, rates, peak sustained rate, drain time."""

import pytest

from bench.spike import stats
from bench.spike.run import pipeline_lag
from bench.spike.traffic import TrafficModel

pytestmark = pytest.mark.unit

MODEL = TrafficModel(baseline=10, factor=10, before_s=10, spike_s=10, after_s=10)


def test_summary_of_latencies_and_of_nothing() -> None:
    values = [float(v) for v in range(1, 101)]
    assert stats.summary(values) == {"p50": 51.0, "p95": 96.0, "p99": 100.0, "max": 100.0}
    assert stats.summary([]) == {"p50": None, "p95": None, "p99": None, "max": None}


def test_points_are_grouped_by_the_phase_of_their_time() -> None:
    grouped = stats.by_phase([(1, 5.0), (12, 50.0), (19.9, 60.0), (25, 7.0)], MODEL)
    assert grouped == {"baseline": [5.0], "spike": [50.0, 60.0], "after": [7.0]}


def test_rates_and_the_peak_sustained_over_a_window() -> None:
    # 10/s for 10 s, 100/s for 10 s, then 10/s: sampled every second.
    cumulative, total = [], 0.0
    for t in range(31):
        cumulative.append((float(t), total))
        total += MODEL.rate_at(t)
    assert stats.rates(cumulative)[:2] == [(1.0, 10.0), (2.0, 10.0)]
    assert stats.peak_rate(cumulative, 5) == pytest.approx(100.0)
    # A 15 s window can never be all spike: 10 s at 100/s and 5 s at 10/s.
    assert stats.peak_rate(cumulative, 15) == pytest.approx((1000 + 50) / 15)
    assert stats.peak_rate(cumulative, 60) == 0.0
    assert stats.mean_rate(cumulative, 10, 20) == pytest.approx(100.0)
    assert stats.mean_rate(cumulative, 40, 50) is None


def test_drain_time_is_from_spike_end_until_every_group_is_under_the_threshold() -> None:
    lags = [(t, {"classifier": max(0, 900 - 100 * (t - 20)), "router": 0})
            for t in range(15, 40)]
    assert stats.drain_time(lags, spike_end=20, threshold=50) == 9
    assert stats.drain_time(lags, spike_end=20, threshold=10_000) == 0
    assert stats.drain_time(lags[:5], spike_end=20, threshold=50) is None


def test_time_bins_count_rates_and_percentiles() -> None:
    assert stats.counts_per_bin([0.1, 0.2, 2.5], 1.0) == [(0.0, 2.0), (1.0, 0.0), (2.0, 1.0)]
    assert stats.counts_per_bin([0.1, 0.2, 0.3, 0.4], 2.0) == [(0.0, 2.0)]
    points = [(0.5, float(v)) for v in range(100)] + [(1.5, 1000.0)]
    assert stats.percentiles_per_bin(points, 1.0, 0.99) == [(0.0, 99.0), (1.0, 1000.0)]


def test_smoothed_rates_over_a_window_of_a_cumulative_series() -> None:
    series = stats.cumulative_at([0.5, 1.5, 1.6, 2.5, 9.0], [0, 1, 2, 3, 4, 5])
    assert series == [(0, 0.0), (1, 1.0), (2, 3.0), (3, 4.0), (4, 4.0), (5, 4.0)]
    assert stats.window_rates(series, 2) == [(1, 1.5), (2, 1.5), (3, 0.5), (4, 0.0)]


def test_the_pipeline_is_drained_while_the_deep_stage_still_lags() -> None:
    lags = [(60.0, {"classifier": 900, "router": 400, "deep": 5_000}),
            (70.0, {"classifier": 20, "router": 50, "deep": 4_700})]
    assert stats.drain_time([(t, pipeline_lag(g)) for t, g in lags], 60.0, 100) == 10.0
    assert stats.drain_time(lags, 60.0, 100) is None  # counting it, never drained
