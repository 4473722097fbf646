"""The spike plot: rates, consumer lag and latency over time, one column per worker count."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import ticker  # noqa: E402

from bench.spike import stats  # noqa: E402
from bench.spike.run import RunResult  # noqa: E402

# Rates over 5 s: offsets are committed every 0.5 s and sampled every second.
SMOOTH_S = 5.0


def plot(results: list[RunResult], path: Path) -> None:
    """Writes a PNG of rate, lag and latency over time for every run."""
    columns = len(results)
    figure, axes = plt.subplots(3, columns, figsize=(5.2 * columns, 9), sharex=True,
                                sharey="row", squeeze=False)
    top = max(r.model.spike_rate for r in results) * 1.3
    for column, result in enumerate(results):
        rate, lag, latency = axes[:, column]
        model = result.model
        for ax in (rate, lag, latency):
            ax.axvspan(model.spike_start, model.spike_end, color="orange", alpha=0.12)
            ax.grid(alpha=0.3)
        offered = [(t, model.rate_at(t)) for t in range(int(result.ended_s) + 1)]
        rate.step(*zip(*offered, strict=True), where="post", color="grey", label="offered")
        grid = [float(t) for t in range(int(result.ended_s) + 1)]
        accepted = stats.window_rates(stats.cumulative_at(
            [r.due_s for r in result.requests for _ in range(r.accepted)], grid), SMOOTH_S)
        classified = stats.window_rates([(s.t, float(s.committed.get("classifier", 0)))
                                         for s in result.samples], SMOOTH_S)
        stored = stats.window_rates(stats.cumulative_at(result.stored, grid), SMOOTH_S)
        for series, label, style in ((accepted, "accepted by ingest", "-"),
                                     (classified, "classified", "--"),
                                     (stored, "stored by the router", "-")):
            if series:
                rate.plot(*zip(*series, strict=True), label=label, lw=1.2, ls=style)
        rate.set_ylim(0, top)
        rate.set_title(f"{result.workers} worker(s) per stream service")
        for group, style in (("classifier", "-"), ("router", "-"), ("responder", "-"),
                             ("deep", ":")):
            series = [(s.t, s.lag.get(group, 0)) for s in result.samples]
            if series:
                label = "deep stage (nothing waits for it)" if group == "deep" else group
                lag.plot(*zip(*series, strict=True), label=label, lw=1.2, ls=style)
        for share, style in ((0.5, "-"), (0.99, ":")):
            points = stats.percentiles_per_bin(result.latencies, 1.0, share)
            if points:
                latency.plot(*zip(*points, strict=True), ls=style, color="tab:purple",
                             label=f"p{share * 100:.0f}")
        latency.set_yscale("log")
        latency.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        latency.yaxis.set_minor_formatter(ticker.NullFormatter())
        latency.axhline(500, color="red", lw=0.8, ls="--", label="500 ms aim")
        latency.set_xlabel("seconds since the first offered message (spike shaded)")
        if column == 0:
            rate.set_ylabel(f"messages / s ({SMOOTH_S:.0f} s average)")
            lag.set_ylabel("consumer lag, records")
            latency.set_ylabel("ingest -> stored, ms (by receipt)")
            for ax in (rate, lag, latency):
                ax.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
