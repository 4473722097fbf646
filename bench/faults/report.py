"""The run as rich tables: what was done to the stack, then the reconciliation."""

from rich.console import Console
from rich.table import Table

from bench.faults.suite import SuiteResult


def print_report(result: SuiteResult, console: Console, load: str = "") -> None:
    c = result.config
    faults = Table(title=f"Faults injected (run {result.run_id}, seed {c.seed})")
    for column in ("planned at", "done at", "fault", "took", "what happened"):
        faults.add_column(column, justify="right" if column != "what happened" else "left")
    for f in result.faults:
        faults.add_row(f"{f.planned_s:.1f} s", f"{f.started_s:.1f} s", f.kind,
                       f"{f.took_s:.1f} s", f.what)
    console.print(faults)

    t, a = result.traffic, result.agent
    flow = Table(title="Traffic and agent")
    flow.add_column("measure")
    flow.add_column("value", justify="right")
    rows = [
        ("messages offered", f"{t.offered:,}"),
        ("offered rate", f"{c.rate_per_s:,.0f}/s"),
        ("batches sent again (refused or cut off)", f"{t.retried_batches:,}"),
        ("ingest answers 429/5xx", f"{t.refused:,}"),
        ("connections cut off or timed out", f"{t.cut_off:,}"),
        ("batches given up", f"{len(t.rejected):,}"),
        ("agent claims / replies / resolves",
         f"{a.claims:,} / {len(a.replies):,} / {a.resolved:,}"),
        ("agent requests retried", f"{a.retries:,}"),
        ("replies the agent could not queue", f"{len(a.abandoned):,}"),
        ("services that exited on their own", ", ".join(result.unplanned_exits) or "none"),
        ("settling gave up waiting for", ", ".join(result.gave_up) or "nothing"),
        *((f"time: {name}", f"{seconds:.1f} s") for name, seconds in result.timings.items()),
    ]
    if load:
        rows.append(("load average (1/5/15 min) at the end", load))
    for name, value in rows:
        flow.add_row(name, value)
    console.print(flow)

    verdict = result.reconciliation
    recon = Table(title="Reconciliation from the topics, the database and the gateway records")
    for column in ("check", "count", "must be", "result"):
        recon.add_column(column, justify="left" if column == "check" else "right")
    for check in verdict.checks:
        mark = "" if check.expected == "info" else ("ok" if check.ok else "[red]FAIL[/red]")
        recon.add_row(check.name, f"{check.count:,}", check.expected, mark)
    console.print(recon)
    for check in verdict.failures:
        console.print(f"[red]{check.name}[/red]: e.g. {', '.join(check.examples)}")
    for why in (*t.rejected[:5], *a.abandoned[:5]):
        console.print(f"[yellow]{why}[/yellow]")
    if result.state_dir is not None:
        console.print(f"logs: {result.state_dir / 'logs'}")
    console.print("[green]reconciled: nothing lost, duplicated or double-sent[/green]"
                  if verdict.ok else "[red]reconciliation failed[/red]")
