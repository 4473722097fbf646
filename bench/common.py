"""Shared pieces of the benchmarks: a running stack, sample messages, percentiles, tables."""

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from socialcare_local.infra import Endpoints, ensure_infra
from socialcare_local.services import start_services, wait_ready

console = Console()


def running_stack() -> Endpoints:
    """Kafka, the MongoDB server and every service, started or reused as `make up` does."""
    endpoints = ensure_infra(console=console)
    start_services(endpoints)
    wait_ready(endpoints, console=console)
    return endpoints


def message(run: str, i: int, text: str = "@acmeshop where is my order? it's late") -> dict:
    """A distinct customer message of run ``run`` (own brand account, so it is easy to find)."""
    return {"platform": "x", "channel": "mention", "brand_account": f"bench{run}",
            "platform_message_id": f"{run}-{i}", "author": {"id": f"c{i % 997}"},
            "text": text, "created_at": datetime.now(UTC).isoformat()}


def remove_run(db: Any, run: str) -> None:
    """Deletes what a benchmark run stored, so the user's inbox keeps only real work."""
    db.conversations.delete_many({"brand_account": f"bench{run}"})
    for collection in (db.messages, db.customers):
        collection.delete_many({"_id": {"$regex": f"^x:bench{run}:"}})


def new_run_id() -> str:
    return uuid.uuid4().hex[:8]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def table(title: str, rows: list[tuple[str, Any]]) -> None:
    out = Table(title=title)
    out.add_column("measure")
    out.add_column("value", justify="right")
    for name, value in rows:
        out.add_row(name, value if isinstance(value, str) else f"{value:,.1f}")
    console.print(out)


def wait_until(probe: Any, timeout_s: float, interval_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(interval_s)
    return False
