"""Pure computations on what a run measured: percentiles, rates, drain time, time bins."""

import bisect
from collections.abc import Iterable, Mapping, Sequence

from bench.common import percentile
from bench.spike.traffic import TrafficModel

Series = Sequence[tuple[float, float]]  # (seconds since the run started, value)


def summary(values: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, p99 and max of ``values`` (None each when there are none)."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    return {"p50": percentile(list(values), 0.50), "p95": percentile(list(values), 0.95),
            "p99": percentile(list(values), 0.99), "max": max(values)}


def by_phase(points: Iterable[tuple[float, float]], model: TrafficModel) -> dict[str, list[float]]:
    """The values of (time, value) points grouped by the phase their time falls in."""
    grouped: dict[str, list[float]] = {name: [] for name, *_ in model.phases()}
    for t, value in points:
        grouped.setdefault(model.phase_at(t), []).append(value)
    return grouped


def rates(cumulative: Series) -> list[tuple[float, float]]:
    """Per-interval rates of a cumulative counter sampled over time (at each interval's end)."""
    out = []
    for (t0, c0), (t1, c1) in zip(cumulative, cumulative[1:], strict=False):
        if t1 > t0:
            out.append((t1, (c1 - c0) / (t1 - t0)))
    return out


def peak_rate(cumulative: Series, window_s: float) -> float:
    """The highest rate a cumulative counter sustained over any ``window_s`` of the series."""
    best, first = 0.0, 0
    for end, (t_end, c_end) in enumerate(cumulative):
        # The latest sample still at least window_s before this one starts the window.
        while first + 1 < end and t_end - cumulative[first + 1][0] >= window_s:
            first += 1
        t_first, c_first = cumulative[first]
        if t_end - t_first >= window_s:
            best = max(best, (c_end - c_first) / (t_end - t_first))
    return best


def mean_rate(cumulative: Series, start: float, end: float) -> float | None:
    """Average rate between the samples nearest to ``start`` and ``end``."""
    inside = [(t, c) for t, c in cumulative if start <= t <= end]
    if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
        return None
    return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])


def drain_time(lags: Sequence[tuple[float, Mapping[str, int]]], spike_end: float,
               threshold: int) -> float | None:
    """Seconds from the spike's end until every group's lag is at most ``threshold``.

    None when that never happened while sampling.
    """
    for t, by_group in lags:
        if t >= spike_end and all(lag <= threshold for lag in by_group.values()):
            return t - spike_end
    return None


def counts_per_bin(times: Iterable[float], bin_s: float) -> list[tuple[float, float]]:
    """Events per second in consecutive bins of ``bin_s``, as (bin start, rate); gaps are 0."""
    counts: dict[int, int] = {}
    for t in times:
        counts[int(t // bin_s)] = counts.get(int(t // bin_s), 0) + 1
    if not counts:
        return []
    return [(b * bin_s, counts.get(b, 0) / bin_s) for b in range(min(counts), max(counts) + 1)]


def percentiles_per_bin(points: Iterable[tuple[float, float]], bin_s: float,
                        share: float) -> list[tuple[float, float]]:
    """The ``share`` percentile of the values in each ``bin_s`` bin of time, as (start, value)."""
    bins: dict[int, list[float]] = {}
    for t, value in points:
        bins.setdefault(int(t // bin_s), []).append(value)
    return [(b * bin_s, percentile(values, share)) for b, values in sorted(bins.items())]


def cumulative_at(times: Iterable[float], grid: Sequence[float]) -> list[tuple[float, float]]:
    """How many of ``times`` happened by each time of ``grid``, as a cumulative series."""
    ordered = sorted(times)
    return [(t, float(bisect.bisect_right(ordered, t))) for t in grid]


def window_rates(cumulative: Series, window_s: float) -> list[tuple[float, float]]:
    """Rates over a sliding ``window_s``, placed at each window's middle (smooths steps)."""
    out, first = [], 0
    for t_end, c_end in cumulative:
        while first + 1 < len(cumulative) and t_end - cumulative[first + 1][0] >= window_s:
            first += 1
        t_first, c_first = cumulative[first]
        if t_end - t_first >= window_s:
            out.append(((t_first + t_end) / 2, (c_end - c_first) / (t_end - t_first)))
    return out
