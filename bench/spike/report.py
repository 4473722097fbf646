"""The spike's figures: one summary per run, the tables, the PNG plot and a JSON record."""

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from bench.common import console
from bench.spike import stats
from bench.spike.driver import Request
from bench.spike.grouping import TOP, cluster_scores, incident_timing
from bench.spike.run import RunResult, pipeline_lag
from bench.spike.samplers import Sample
from bench.spike.source import BRAND
from bench.spike.traffic import SPIKE, TrafficModel

MIB = 1024 * 1024


def summarize(result: RunResult, drain_threshold: int, raw_rate: float | None) -> dict[str, Any]:
    """The headline figures of one run (rates per second, latencies in ms, times in s)."""
    model, samples = result.model, result.samples
    offered = sum(r.messages for r in result.requests)
    accepted = sum(r.accepted for r in result.requests)
    processed = {group: [(s.t, float(s.committed.get(group, 0))) for s in samples]
                 for group in ("classifier", "router", "responder")}
    stored_cumulative = sorted(result.stored)
    stored_series = [(t, float(i + 1)) for i, t in enumerate(stored_cumulative)]
    peak = stats.peak_rate(stored_series, 10.0)
    phases = stats.by_phase(result.latencies, model)
    drain = stats.drain_time([(s.t, pipeline_lag(s.lag)) for s in samples], model.spike_end,
                             drain_threshold)
    run_samples = [s for s in samples if s.t <= result.ended_s]
    processes = sorted({name for s in run_samples for name in s.rss})
    return {
        "workers": result.workers,
        "load average before / after": f"{result.load_before} / {result.load_after}",
        "offered": offered, "accepted": accepted, "stored": len(result.stored),
        "rejected requests": sum(1 for r in result.requests if r.status != 202),
        "accepted rate in the spike": _accepted_rate(result, model.spike_start, model.spike_end),
        "processed rate in the spike": {g: stats.mean_rate(c, model.spike_start, model.spike_end)
                                        for g, c in processed.items()},
        "peak stored rate (10 s)": peak,
        "raw kafka round trip": raw_rate,
        "pipeline / raw": peak / raw_rate if raw_rate else None,
        "latency to stored by phase": {name: stats.summary(values)
                                       for name, values in phases.items()},
        "reply requested to sent": stats.summary([r[1] * 1000 for r in result.replies]),
        "received to reply sent": stats.summary([r[2] * 1000 for r in result.replies]),
        "replies sent": len(result.replies), "replies refused": result.reply_failures,
        "peak lag": {g: max((s.lag.get(g, 0) for s in samples), default=0)
                     for g in ("classifier", "router", "responder", "deep")},
        "deep stage lag at the end": samples[-1].lag.get("deep") if samples else None,
        "deep stage refined/s in the spike": stats.mean_rate(
            [(s.t, float(s.committed.get("deep", 0))) for s in samples], model.spike_start,
            model.spike_end),
        "drain after spike, s": drain,
        "sampled until, s": result.ended_s, "spike end, s": model.spike_end,
        "cpu mean %": {p: _mean([s.cpu[p] for s in run_samples if p in s.cpu]) for p in processes},
        "peak rss MiB": {p: max(s.rss.get(p, 0) for s in run_samples) / MIB for p in processes},
        **_burst(result),
    }


def _burst(result: RunResult) -> dict[str, Any]:
    """Surge detection and grouping of the spike's burst (nothing when it had none)."""
    if not result.burst_start:
        return {}
    start = datetime.fromisoformat(result.burst_start)
    return {"burst start": result.burst_start,
            "incident": incident_timing(result.incidents, BRAND, start),
            "burst offered": result.burst_offered,
            "clusters": cluster_scores(result.clusters, result.burst_stored, result.unrelated)}


def _accepted_rate(result: RunResult, start: float, end: float) -> float:
    inside = [r for r in result.requests if start <= r.due_s < end]
    return sum(r.accepted for r in inside) / (end - start) if end > start else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def figure_rows(summaries: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The run table's rows: a measure and its value per run (one run per worker count)."""
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, pick: Any) -> None:
        rows.append((name, [pick(s) for s in summaries]))

    row("load average before / after", lambda s: s["load average before / after"])
    row("offered / accepted / stored", lambda s: f"{s['offered']:,} / {s['accepted']:,} / "
        f"{s['stored']:,}")
    row("accepted/s in the spike", lambda s: f"{s['accepted rate in the spike']:,.0f}")
    for group in ("classifier", "router"):
        row(f"{group} processed/s in the spike",
            lambda s, g=group: _ms(s["processed rate in the spike"][g]))
    row("peak stored/s sustained 10 s", lambda s: f"{s['peak stored rate (10 s)']:,.0f}")
    first = summaries[0]["peak stored rate (10 s)"] or 1.0
    row(f"scaling vs {summaries[0]['workers']} worker(s)",
        lambda s: f"{s['peak stored rate (10 s)'] / first:.2f}x")
    row("pipeline / raw Kafka round trip", lambda s: "-" if s["pipeline / raw"] is None
        else f"{s['pipeline / raw']:.1%}")
    for phase in ("baseline", SPIKE, "after"):
        row(f"{phase}: ingest -> stored p50 / p95 / p99 ms", lambda s, p=phase: " / ".join(
            _ms(s["latency to stored by phase"].get(p, {}).get(k)) for k in ("p50", "p95", "p99")))
    row("reply requested -> sent p50 / p99 ms", lambda s: " / ".join(
        _ms(s["reply requested to sent"][k]) for k in ("p50", "p99")))
    row("ingest -> reply sent p50 / p99 ms", lambda s: " / ".join(
        _ms(s["received to reply sent"][k]) for k in ("p50", "p99")))
    row("replies sent (refused)", lambda s: f"{s['replies sent']} ({s['replies refused']})")
    row("peak lag classifier / router", lambda s: f"{s['peak lag']['classifier']:,} / "
        f"{s['peak lag']['router']:,}")
    row("deep stage: refined/s in the spike, peak lag, lag at the end", lambda s: (
        f"{_ms(s['deep stage refined/s in the spike'])} / {s['peak lag']['deep']:,} / "
        f"{s['deep stage lag at the end'] or 0:,}"))
    row("drained after spike end (deep stage aside), s", lambda s: "not within "
        f"{s['sampled until, s'] - s['spike end, s']:.0f}" if s["drain after spike, s"] is None
        else f"{s['drain after spike, s']:.0f}")
    if all("clusters" in s for s in summaries):
        rows += _burst_rows(summaries)
    return rows


def _burst_rows(summaries: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The burst's incident and clusters, one row per measure."""
    def share(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else f"{value:.{digits}%}"

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f}"

    def both(s: dict[str, Any], pick: Any) -> str:
        return f"{pick(s['clusters']['top 1'])} / {pick(s['clusters'][f'top {TOP}'])}"

    def incident(s: dict[str, Any]) -> str:
        timing = s["incident"]
        if timing["opened after s"] is None:
            return "none opened"
        closed = timing["closed after s"]
        return (f"{seconds(timing['opened after s'])} (seen "
                f"{seconds(timing.get('detected after s'))}) / "
                f"{'still open' if closed is None else seconds(closed)} ({timing['intent']})")

    return [(name, [pick(s) for s in summaries]) for name, pick in [
        ("burst offered / stored; others of the brand stored", lambda s:
         f"{s['burst offered']:,} / {s['clusters']['burst']:,}; "
         f"{s['clusters']['unrelated']:,}"),
        ("burst start -> incident opened (event time; seen by the router) / closed, s",
         incident),
        ("incidents of the brand (opened before the burst)", lambda s: "{incidents} "
         "({opened before the burst})".format_map(s["incident"])),
        (f"burst in its biggest / {TOP} biggest clusters (recall)",
         lambda s: both(s, lambda c: share(c["recall"]))),
        (f"precision of the biggest / {TOP} biggest", lambda s: both(
            s, lambda c: share(c["precision"]))),
        ("other messages that joined them (share of all)", lambda s: both(
            s, lambda c: f"{c['unrelated joined']:,} ({share(c['unrelated joined share'], 2)})")),
    ]]


def markdown(summaries: list[dict[str, Any]]) -> str:
    """The run table as Markdown, for the README."""
    lines = ["| measure | " + " | ".join(f"{s['workers']} worker(s)" for s in summaries) + " |",
             "|---|" + "---:|" * len(summaries)]
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in
              figure_rows(summaries)]
    return "\n".join(lines) + "\n"


def print_tables(summaries: list[dict[str, Any]], model_text: str) -> None:
    """The run table (one column per worker count) and the CPU/memory table."""
    table = Table(title=f"promotion spike: {model_text}")
    table.add_column("measure")
    for s in summaries:
        table.add_column(f"{s['workers']} worker(s)", justify="right")
    for name, values in figure_rows(summaries):
        table.add_row(name, *values)
    console.print(table)
    usage = Table(title="CPU (mean % of one core) and peak RSS (MiB) per process")
    usage.add_column("process")
    for s in summaries:
        usage.add_column(f"{s['workers']} worker(s)", justify="right")
    for process in sorted({p for s in summaries for p in s["cpu mean %"]}):
        usage.add_row(process, *(f"{s['cpu mean %'][process]:.0f} % / "
                                 f"{s['peak rss MiB'][process]:.0f}"
                                 if process in s["cpu mean %"] else "-" for s in summaries))
    stack = [[v for p, v in s["cpu mean %"].items() if "(shared)" not in p
              and p != "load generator"] for s in summaries]
    usage.add_row("all SocialCare processes", *(f"{sum(v):.0f} %" for v in stack))
    console.print(usage)


def save_json(path: Path, summaries: list[dict[str, Any]], results: list[RunResult]) -> None:
    """Summaries and the raw series of every run, for plotting or comparing later."""
    path.write_text(json.dumps({"summaries": summaries, "runs": [asdict(r) for r in results]},
                               default=str))


def load_runs(path: Path) -> list[RunResult]:
    """The runs a ``save_json`` file holds, to plot them again without rerunning."""
    runs = []
    for raw in json.loads(path.read_text())["runs"]:
        samples = [Sample(**s) for s in raw.pop("samples")]
        latencies = [tuple(p) for p in raw.pop("latencies")]
        runs.append(RunResult(**{
            **raw, "model": TrafficModel(**raw["model"]), "samples": samples,
            "requests": [Request(**q) for q in raw.pop("requests")],
            "latencies": latencies, "replies": [tuple(r) for r in raw.pop("replies")],
            # Older records kept no stored times: each is its receipt plus its latency.
            "stored": raw.pop("stored", None) or [t + ms / 1000 for t, ms in latencies],
            "ended_s": raw.pop("ended_s", None) or (samples[-1].t if samples else 0.0),
            "load_before": raw.pop("load_before", "")}))
    return runs
