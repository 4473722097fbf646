"""The ``socialcare`` command: local infrastructure, services and sample traffic."""

import argparse
import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from socialcare_contracts.messages import NormalizedMessage
from socialcare_local import deadletter, demo, infra, replay, services
from socialcare_local.paths import REPO_ROOT, SAMPLE_FILE, LocalPaths
from socialcare_local.processes import tail
from socialcare_runtime.settings import ServiceSettings

console = Console(soft_wrap=True)  # paths and curl lines stay copyable


def _infra_table() -> Table:
    table = Table("server", "mode", "endpoint", "pid", "healthy", title="infrastructure")
    for row in infra.infra_status():
        table.add_row(row.name, row.mode, row.endpoint, str(row.pid or "-"), _mark(row.healthy))
    return table


def _services_table(endpoints: infra.Endpoints) -> Table:
    table = Table("service", "pid", "ready", "readiness check", title="services")
    for row in services.services_status(endpoints):
        table.add_row(row.name, str(row.pid or "-"), _mark(row.ready), row.readiness)
    return table


def _mark(ok: bool) -> str:
    return "[green]yes[/]" if ok else "[red]no[/]"


def infra_up(args: argparse.Namespace) -> None:
    endpoints = infra.ensure_infra(console=console)
    console.print(_infra_table())
    console.print(f"SOCIALCARE_KAFKA_BOOTSTRAP={endpoints.kafka_bootstrap}")
    console.print(f"SOCIALCARE_MONGO_URL={endpoints.mongo_url}")


def infra_down(args: argparse.Namespace) -> None:
    stopped = infra.stop_infra()
    console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")


def infra_status(args: argparse.Namespace) -> None:
    console.print(_infra_table())


def _sample(args: argparse.Namespace) -> tuple[Iterator[NormalizedMessage], int | None] | None:
    """The messages to replay and their count (None when unknown), or None to skip."""
    if args.no_sample:
        return None
    if args.twcs:
        messages, total = replay.read_twcs(args.twcs), None
    else:
        path = args.sample or SAMPLE_FILE
        if not path.exists():
            console.print(f"[yellow]no sample at {path}: skipping the replay[/]")
            return None
        messages, total = replay.read_jsonl(path), replay.count_lines(path)
    if args.limit:
        messages = itertools.islice(messages, args.limit)
        total = min(total or args.limit, args.limit)
    if not args.keep_times:
        messages = iter(replay.as_live(messages))
    return messages, total


def _seed_demo() -> demo.SeedReport | None:
    """The demo desk's missing parts; a refusal (keys of your own) is shown, not fatal."""
    try:
        seeded = demo.seed_demo(services.INBOX_HTTP.base_url())
    except (RuntimeError, httpx.HTTPError) as error:
        console.print(f"[yellow]demo desk not seeded:[/] {error} (--no-demo skips it)")
        return None
    console.print(seeded.summary())
    return seeded


def up(args: argparse.Namespace) -> None:
    started_at = time.monotonic()
    endpoints = infra.ensure_infra(console=console)
    demo.default_agent_initials(services.dotenv())  # signatures out of the box
    started = services.start_services(endpoints, workers=args.workers)
    console.print(f"started: {', '.join(started) or 'all services were already running'}")
    services.wait_ready(endpoints, services.instances(args.workers), console=console)
    console.print(f"[green]stack ready[/] in {time.monotonic() - started_at:.1f} s")
    seeded = None if args.no_demo else _seed_demo()
    sample = _sample(args)
    if sample is not None:
        if seeded is not None and seeded.created:
            # Workers read new rules on their refresh interval and give no sign they did:
            # the sample is routed by the demo's rules once the interval has passed.
            time.sleep(demo.rules_apply_within_s({**services.dotenv(), **os.environ}))
        messages, total = sample
        sent = replay.post_messages(messages, services.INGEST_HTTP.base_url(), args.api_key, total)
        console.print(f"replayed {sent} messages")
    console.print(closing_hints(services.INBOX_HTTP.base_url(), LocalPaths.from_env().logs,
                                Path.cwd()))


def closing_hints(inbox: str, logs: Path, cwd: Path) -> str:
    """What ``up`` prints last: where to look and how to stop, as commands that run as shown.

    The ``socialcare`` script lives in .venv/bin, not on PATH, so the hints use the
    Makefile's targets, pointed at the checkout when the shell is elsewhere.
    """
    make = "make" if cwd.resolve() == REPO_ROOT else f"make -C {REPO_ROOT}"
    return (
        f"\nweb inbox:       {inbox}/inbox/  (sign in with dev-agent-key or "
        f"dev-supervisor-key)\n"
        f"inbox API docs:  {inbox}/docs\n"
        f"conversations:   curl -H 'X-API-Key: dev-agent-key' "
        f"{inbox}/v1/queues/general/conversations\n"
        f"status:          {make} status\n"
        f"logs:            {logs}  ({make} logs NAME=router-worker)\n"
        f"stop everything: {make} down"
    )


def down(args: argparse.Namespace) -> None:
    stopped = services.stop_services() + infra.stop_infra()
    console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")


def status(args: argparse.Namespace) -> None:
    console.print(_infra_table())
    console.print(_services_table(infra.configured_endpoints()))


def logs(args: argparse.Namespace) -> None:
    names = [s.name for s in services.known_instances()] + ["kafka", "mongo"]
    if args.name not in names:
        raise ValueError(f"no service {args.name!r}; one of: {', '.join(names)}")
    path = LocalPaths.from_env().log_file(args.name)
    if not path.exists():
        raise RuntimeError(f"no log at {path}")
    sys.stdout.write(tail(path, args.lines) + "\n")
    if not args.follow:
        return
    with path.open(encoding="utf-8", errors="replace") as f:
        f.seek(0, 2)
        while True:
            line = f.readline()
            if line:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.3)


def _deadletter_table(title: str, rows: list[deadletter.DeadRecord], shown: int = 50) -> Table:
    table = Table("dead-lettered at", "stage", "service", "source", "dead-letter record",
                  "reason", title=title, caption=f"first {shown} shown" if len(rows) > shown
                  else None)
    for row in rows[:shown]:
        r = row.record
        table.add_row(r.dead_lettered_at.isoformat(timespec="seconds"), r.stage, r.service,
                      f"{r.source_topic}/{r.partition}@{r.offset}", row.location, r.reason[:120])
    return table


def deadletter_list(args: argparse.Namespace) -> None:
    since = deadletter.parse_since(args.since) if args.since else None
    rows, unreadable = deadletter.list_deadletters(ServiceSettings(), since, args.stage)
    console.print(_deadletter_table(f"{len(rows)} dead-lettered records", rows))
    if unreadable:
        console.print(f"[yellow]{unreadable} records are not DeadLettered events[/]")


def deadletter_replay(args: argparse.Namespace) -> None:
    audit = LocalPaths.from_env().state / "deadletter-replays.jsonl"
    report = deadletter.replay(ServiceSettings(), args.stage, args.dry_run, args.limit,
                               audit_file=audit)
    verb = "would replay" if args.dry_run else "replayed"
    console.print(_deadletter_table(f"{verb} {len(report.replayed)} records", report.replayed))
    for row, why in report.refused:
        console.print(f"[yellow]not replayed[/] {row.location}: {why}")
    if report.unreadable:
        console.print(f"[yellow]{report.unreadable} records are not DeadLettered events[/]")
    if report.replayed and not args.dry_run:
        console.print(f"recorded in {audit}")


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    root = argparse.ArgumentParser(
        prog="socialcare", description="Local infrastructure, services and sample traffic."
    )
    commands = root.add_subparsers(dest="command", required=True)

    infra_cmd = commands.add_parser("infra", help="Kafka and MongoDB only")
    infra_actions = infra_cmd.add_subparsers(dest="action", required=True)
    for name, handler, text in (
        ("up", infra_up, "download if needed, start, wait healthy, create topics"),
        ("down", infra_down, "stop the local servers"),
        ("status", infra_status, "show mode, endpoint, pid and health"),
    ):
        infra_actions.add_parser(name, help=text).set_defaults(handler=handler)

    up_cmd = commands.add_parser("up", help="infrastructure, services, then sample traffic")
    source = up_cmd.add_mutually_exclusive_group()
    source.add_argument("--sample", type=Path, help=f"JSON lines (default {SAMPLE_FILE})")
    source.add_argument("--twcs", type=Path, help="'Customer Support on Twitter' twcs.csv")
    source.add_argument("--no-sample", action="store_true", help="replay nothing")
    up_cmd.add_argument("--limit", type=int, help="replay at most N messages")
    up_cmd.add_argument("--keep-times", action="store_true",
                        help="keep the messages' own times (default: shift so the newest is now)")
    up_cmd.add_argument("--api-key", default="dev-ingest-key", help="ingest API key")
    up_cmd.add_argument("--no-demo", action="store_true",
                        help="seed no demo desk (saved replies, queues, routing rules)")
    up_cmd.add_argument("--workers", type=int, metavar="N",
                        help="instances of each stream worker (default SOCIALCARE_WORKERS or 1)")
    up_cmd.set_defaults(handler=up)

    commands.add_parser("down", help="stop services, then infrastructure").set_defaults(
        handler=down)
    commands.add_parser("status", help="infrastructure and services").set_defaults(
        handler=status)

    logs_cmd = commands.add_parser("logs", help="show the end of a log")
    logs_cmd.add_argument("name", help="a service instance (classifier, classifier-2, ...), "
                          "kafka or mongo")
    logs_cmd.add_argument("-n", "--lines", type=int, default=50)
    logs_cmd.add_argument("-f", "--follow", action="store_true")
    logs_cmd.set_defaults(handler=logs)

    dead_cmd = commands.add_parser("deadletter", help="list or replay the dead-letter topic")
    dead_actions = dead_cmd.add_subparsers(dest="action", required=True)
    list_cmd = dead_actions.add_parser("list", help="show dead-lettered records")
    list_cmd.add_argument("--since", help="30m, 2h, 7d or an ISO 8601 time")
    list_cmd.add_argument("--stage", help="only this stage (classify, route, send, ...)")
    list_cmd.set_defaults(handler=deadletter_list)
    replay_cmd = dead_actions.add_parser(
        "replay", help="re-publish records not replayed yet to their source topics")
    replay_cmd.add_argument("--stage", help="only this stage (its own replay group)")
    replay_cmd.add_argument("--dry-run", action="store_true", help="show, publish nothing")
    replay_cmd.add_argument("--limit", type=int, help="replay at most N records")
    replay_cmd.set_defaults(handler=deadletter_replay)
    return root


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``socialcare`` console script."""
    args = parser().parse_args(argv)
    try:
        args.handler(args)
    except (RuntimeError, TimeoutError, ValueError, OSError) as error:
        console.print(f"[red]error:[/] {error}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
