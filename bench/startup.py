"""Time from `make up` to the first processed message, on a cold and on a warm cache.

    scripts/uv run --frozen python -m bench.startup

Clones the current commit into a temporary folder (so `.cache/` and `.local/` start
empty: uv, the Python packages, Kafka and mongo-java-server are all downloaded), runs
`make up ARGS=--no-sample`, posts one customer message and waits until the router stored
it. Then `make down` and the same again with the caches and data in place (warm). Needs
the default ports free: run `make down` in any other checkout first.
"""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from pymongo import MongoClient

from bench.common import console, message, new_run_id, table, wait_until
from socialcare_local.processes import port_open

ROOT = Path(__file__).resolve().parents[1]
PORTS = (9092, 27017, 8081, 8082, 50051)


def first_processed(checkout: Path) -> dict[str, float]:
    """Runs `make up` in ``checkout``; returns seconds to ready and to the first stored message."""
    start = time.monotonic()
    with console.status("make up ..."):
        subprocess.run(["make", "up", "ARGS=--no-sample"], cwd=checkout, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ready = time.monotonic() - start
    run = new_run_id()
    response = httpx.post("http://127.0.0.1:8081/v1/messages", json=message(run, 0),
                          headers={"X-API-Key": "dev-ingest-key"}, timeout=30)
    response.raise_for_status()
    messages = MongoClient("mongodb://127.0.0.1:27017").socialcare.messages
    if not wait_until(lambda: messages.find_one({"_id": f"x:bench{run}:{run}-0"}), 60):
        raise RuntimeError("the first message was not stored within 60 s")
    return {"ready": ready, "first": time.monotonic() - start}


def main() -> None:
    busy = [p for p in PORTS if port_open(p)]
    if busy:
        raise SystemExit(f"ports {busy} are in use: run `make down` first")
    folder = Path(tempfile.mkdtemp(prefix="socialcare-startup-"))
    checkout = folder / "main"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
        cold = first_processed(checkout)
        subprocess.run(["make", "down"], cwd=checkout, check=True, stdout=subprocess.DEVNULL)
        warm = first_processed(checkout)
        subprocess.run(["make", "down"], cwd=checkout, check=True, stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    table("make up -> first processed message (seconds)", [
        ("cold: every service ready", cold["ready"]),
        ("cold: first message stored", cold["first"]),
        ("warm: every service ready", warm["ready"]),
        ("warm: first message stored", warm["first"]),
    ])


if __name__ == "__main__":
    main()
