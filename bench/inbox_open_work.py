"""Inbox queue pages, claims and gauges with history stored: what open work costs.

    scripts/uv run --frozen --all-packages python -m bench.inbox_open_work \
        --stored 100000 --open 20000

Starts a mongo-java-server of its own (H2 file backend, as ``socialcare infra up`` runs it,
in a temporary folder, on a free port; ``--mongo-url`` uses another server instead), stores
``--stored`` conversations of which ``--open`` are unresolved (the rest resolved, all in
one queue: the worst case for a page), brings the store up to date as an upgrade does
(``migrate`` where the release has it), then times through the inbox API (in process, real
Kafka for its events):
1. the queue's first page of 50, due soonest first, and a filtered page by priority;
2. a claim (one agent, a conversation nobody holds), one after another;
3. the supervisors' queue overview (the gauges);
4. claims with 50 agents racing for one conversation (exactly one may win);
5. messages routed by the worker's service layer (half of them to existing conversations);
after ``--warm`` requests that are not counted (a fresh JVM runs the server interpreted);
and finally stops the server (SIGTERM), starts it again on the same file and checks that
every conversation and open-work entry is still there (H2 keeps data across restarts).
It runs against whatever release is checked out, so the same file measures before/after.
"""

import argparse
import asyncio
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from opentelemetry import trace
from pymongo import AsyncMongoClient
from rich.progress import Progress

from bench.common import console, new_run_id, percentile, table
from bench.router_inbox import BATCH, classified, open_conversation
from socialcare_contracts import topics
from socialcare_local import mongo_server
from socialcare_local.downloads import MONGO_JARS, fetch_missing
from socialcare_local.infra import ensure_infra
from socialcare_local.paths import LocalPaths, LocalPorts
from socialcare_router.adapters.store import Store
from socialcare_router.api import create_app
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.migration import migrate_conversations
from socialcare_router.routing import Router
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.publisher import EventPublisher
from socialcare_runtime.stream_batches import in_key_order

AGENTS = 50
CHUNK = 1_000
QUEUE = "bulk"


def patient_client(url: str) -> AsyncMongoClient:
    """The services' client, but one that waits: before open work, a page scanned every
    stored conversation and stalled the server for longer than the services' 5 s, after
    which the driver drops its connections and the bench would measure nothing."""
    return AsyncMongoClient(url, appname="bench-open-work", tz_aware=True,
                            serverSelectionTimeoutMS=300_000, connectTimeoutMS=300_000)


class OwnServer:
    """mongo-java-server on an H2 file in ``folder``, started and stopped by this bench."""

    def __init__(self, folder: Path) -> None:
        local = LocalPaths.from_env()
        self.lib = fetch_missing(local, [MONGO_JARS])[MONGO_JARS.name]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.paths = LocalPaths(cache=local.cache, state=folder)
        self.url = f"mongodb://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Seconds until it answers ``ping``."""
        argv = mongo_server.prepare(self.paths, LocalPorts(0, 0, self.port), self.lib)
        start = time.perf_counter()
        with (self.paths.state / "mongo.log").open("ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        while not mongo_server.healthy(self.url):
            if self.process.poll() is not None:
                raise RuntimeError("the bench's mongo-java-server did not start: "
                                   + (self.paths.state / "mongo.log").read_text()[-2000:])
            time.sleep(0.2)
        return time.perf_counter() - start

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # its shutdown hook closes the H2 file
            self.process.wait(600)
            self.process = None


def stored_conversation(i: int, open_count: int, stored: int) -> dict[str, Any]:
    """Every (stored/open)-th conversation is open; the others resolved."""
    doc = open_conversation(i) | {"queue": QUEUE}
    if i % max(1, stored // open_count) != 0 or i // max(1, stored // open_count) >= open_count:
        resolved_at = doc["created_at"] + timedelta(hours=2)
        doc |= {"status": "resolved", "state": "resolved", "resolved_at": resolved_at,
                "due_at": doc["resolution_due_at"]}
    return doc


async def fill(store: Store, stored: int, open_count: int) -> tuple[float, list[str]]:
    """Seconds to store them; the open ones' ids."""
    opened: list[str] = []
    start = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("storing conversations", total=stored)
        for at in range(0, stored, CHUNK):
            docs = [stored_conversation(i, open_count, stored)
                    for i in range(at, min(stored, at + CHUNK))]
            opened += [d["_id"] for d in docs if d["status"] == "open"]
            await store.conversations.insert_many(docs)
            progress.advance(task, len(docs))
    return time.perf_counter() - start, opened


async def route_rate(store: Store, run: str, count: int) -> float:
    """Messages routed per second with the store filled, as the worker takes them (batches
    of 200, a batch's customers concurrently); the second half are the first half's
    customers writing again, so their conversations are saved (a versioned write)."""
    half = max(1, count // 2)
    events = [classified(run, i) for i in range(count)]
    events = [e if i < half else e.model_copy(update={"message": e.message.model_copy(
        update={"author": events[i - half].message.author})}) for i, e in enumerate(events)]
    router = Router(store, SlaPolicy(), "general", timedelta(hours=24))
    start = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("routing", total=count)
        for at in range(0, count, BATCH):
            batch = events[at:at + BATCH]
            await in_key_order(batch, lambda e: e.message.conversation_key(),
                               lambda e: router.route_message(
                                   e, f"{run}-e{e.message.platform_message_id}"), True)
            progress.advance(task, len(batch))
    return count / (time.perf_counter() - start)


async def timed(label: str, count: int, call: Callable[[int], Awaitable[httpx.Response]]
                ) -> list[float]:
    """Latencies (ms) of ``count`` calls, one after another, with a progress display; a
    call that fails is reported and left out (the old release's concurrent scans could
    make H2 fail a read: "Unable to read the page")."""
    latencies = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=count)
        for i in range(count):
            start = time.perf_counter()
            try:
                response = await call(i)
            except Exception as exc:  # noqa: BLE001 - a bench reports and goes on
                console.print(f"{label}: call {i} failed: {type(exc).__name__} {exc!s:.200}")
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            assert response.status_code in (200, 409), response.text
            progress.advance(task)
    return latencies


def rows(name: str, values: list[float]) -> list[tuple[str, Any]]:
    if not values:
        return [(f"{name}: every call failed", "-")]
    figures = [(f"{name} p50 (ms) [{len(values)}]", percentile(values, 0.5)),
               (f"{name} p99 (ms)", percentile(values, 0.99))]
    # The slowest calls apart: with 100 calls the p99 (nearest rank) is the slowest one, and
    # one stall of the machine (load from others, the JVM's collector) sets it.
    console.print(figures, ("slowest (ms)", sorted(values)[-5:]))
    return figures


async def measure(url: str, kafka: str, stored: int, open_count: int, views: int,
                  claims: int, races: int, warm: int, route: int
                  ) -> tuple[list[tuple[str, Any]], str]:
    run = new_run_id()
    database = f"bench_open_{run}"
    client = patient_client(url)
    store = Store(client, database)
    users = {f"bench-{i}": InboxUser(id=f"agent{i}", name=f"Agent {i}", role="agent")
             for i in range(AGENTS)} | {"bench-sup": InboxUser(id="sup", name="Sup",
                                                                role="supervisor")}
    settings = RouterSettings(kafka_bootstrap=kafka, inbox_users=users, mongo_database=database,
                              topic_prefix=f"bench{run}.", default_agent_capacity=claims + 50)
    ensure_topics(kafka, [settings.topic(t) for t in topics.ALL], 1, 1)
    await store.create_indexes()
    fill_s, opened = await fill(store, stored, open_count)
    start = time.perf_counter()
    await migrate_conversations(store)  # what an upgrade runs; builds open work where it exists
    migrate_s = time.perf_counter() - start
    app = create_app(settings, store, lambda: EventPublisher.connect(
        kafka, "bench-inbox", warm_topic=settings.topic(topics.REPLIES_REQUESTED)),
        trace.get_tracer("bench"))
    start = time.perf_counter()
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://inbox",
            timeout=600) as api:
        startup_s = time.perf_counter() - start
        agent, sup = {"X-API-Key": "bench-0"}, {"X-API-Key": "bench-sup"}
        # A search waits for the local index the API builds in the background at start (a
        # scan of the conversations): measured after it, not during it.
        await api.get("/v1/search", params={"q": "order"}, headers=agent)
        page = f"/v1/queues/{QUEUE}/conversations"
        first = await api.get(page, headers=agent)
        assert len(first.json()["items"]) == 50, first.text
        # A freshly started JVM interprets the server's code until its JIT has compiled the
        # hot paths: warm them up as a long-running server would be, then measure.
        await timed("warming up", warm, lambda i: api.get(page, headers=agent) if i % 2
                    else api.get("/v1/queue-overview", headers=sup))
        pages = await timed("queue pages", views, lambda _: api.get(page, headers=agent))
        filtered = await timed("filtered pages", views, lambda _: api.get(
            page, params={"sort": "priority", "min_priority": 50, "language": "en"},
            headers=agent))
        single = await timed("claims", claims, lambda i: api.post(
            f"/v1/conversations/{opened[-1 - i]}/claim", headers=agent))
        overview = await timed("queue overview", max(10, views // 5),
                               lambda _: api.get("/v1/queue-overview", headers=sup))
        raced: list[float] = []
        for target in opened[:races]:  # each round: 50 agents race for one conversation
            async def claim(i: int, target: str = target) -> float:
                start = time.perf_counter()
                response = await api.post(f"/v1/conversations/{target}/claim",
                                          headers={"X-API-Key": f"bench-{i}"})
                assert response.status_code in (200, 409), response.text
                return (time.perf_counter() - start) * 1000
            raced += await asyncio.gather(*(claim(i) for i in range(AGENTS)))
        # By _id: any other query scans 100,000 conversations on the embedded server.
        won = sum([d.get("assignee") is not None async for d in store.conversations.find(
            {"_id": {"$in": opened[:races]}}, {"assignee": 1})])
        routed = await route_rate(store, run, route) if route else 0.0
        console.print(("messages routed /s", routed))
    await client.close()
    return [
        (f"conversations stored (open {open_count:,})", float(stored)),
        ("bulk insert (s)", fill_s),
        ("migrate: open work built (s)", migrate_s),
        ("inbox API start-up (s)", startup_s),
        *rows("queue page, first 50, due soonest", pages),
        *rows("filtered page (priority >= 50, language, by priority)", filtered),
        *rows("claim, one agent, one after another", single),
        *rows("queue overview (gauges)", overview),
        *rows(f"claim, {AGENTS} agents racing for one", raced),
        (f"races won ({races} rounds: must be {races})", float(won)),
        (f"messages routed /s, {route} in batches of {BATCH}, half of them follow-ups",
         routed),
    ], database


async def survives_restart(server: OwnServer, database: str) -> list[tuple[str, Any]]:
    client = patient_client(server.url)
    before = {name: await client[database][name].estimated_document_count()
              for name in ("conversations", "open_work")}
    await client.close()
    server.stop()
    restart_s = server.start()
    client = patient_client(server.url)
    after = {name: await client[database][name].estimated_document_count()
             for name in before}
    await client.close()
    return [("restart of the H2 server: up again (s)", restart_s),
            ("documents kept across the restart", "yes" if after == before else
             f"NO: {before} -> {after}")]


async def main(stored: int, open_count: int, views: int, claims: int, races: int,
               warm: int, route: int, mongo_url: str | None) -> None:
    endpoints = ensure_infra(console=console)
    with tempfile.TemporaryDirectory(prefix="bench-open-work-") as folder:
        server = OwnServer(Path(folder))
        if mongo_url is None:
            server.start()
        try:
            figures, database = await measure(mongo_url or server.url,
                                              endpoints.kafka_bootstrap, stored, open_count,
                                              views, claims, races, warm, route)
            if mongo_url is None:
                figures += await survives_restart(server, database)
        finally:
            server.stop()
    table(f"inbox over {stored:,} stored conversations, {open_count:,} open", figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--views", type=int, default=100)
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--races", type=int, default=10, help="rounds of 50 racing claims")
    parser.add_argument("--warm", type=int, default=40, help="requests before measuring")
    parser.add_argument("--route", type=int, default=400, help="messages routed at the end")
    parser.add_argument("--mongo-url", help="a server to use instead of starting one")
    args = parser.parse_args()
    asyncio.run(main(args.stored, args.open, args.views, args.claims, args.races, args.warm,
                     args.route, args.mongo_url))
