"""One spike run: an isolated stack with N workers per stream service, driven and measured."""

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pymongo import MongoClient
from rich.progress import Progress

from bench.common import console, new_run_id, wait_until
from bench.pipeline_latency import offer as offer_singly
from bench.pipeline_latency import wait_stored
from bench.spike.burst import is_burst
from bench.spike.driver import Request, ScriptedAgent, offer
from bench.spike.inbox import Inbox
from bench.spike.samplers import Sample, Sampler
from bench.spike.source import BRAND, MessageSource, Template
from bench.spike.traffic import TrafficModel
from socialcare_contracts import topics
from socialcare_local.infra import Endpoints, infra_status
from socialcare_local.isolated import IsolatedStack, isolated_stack

TOPICS = {"received": topics.MESSAGES_RECEIVED, "classified": topics.MESSAGES_CLASSIFIED,
          "updated": topics.CONVERSATIONS_UPDATED, "replies requested": topics.REPLIES_REQUESTED,
          "replies sent": topics.REPLIES_SENT}
GROUPS = {"classifier": "socialcare-classifier", "router": "socialcare-router",
          "responder": "socialcare-responder", "deep": "socialcare-classifier-deep"}
INPUTS = {"classifier": "received", "router": "classified", "responder": "replies requested",
          "deep": "classified"}
# Groups nothing waits for: the deep stage refines labels after routing and may lag during a
# spike by design, so the pipeline is drained without it (its lag is sampled and plotted).
BEHIND_ALLOWED = frozenset({"deep"})


def pipeline_lag(lag: dict[str, int]) -> dict[str, int]:
    """The lag of the groups a message waits for on its way to being stored and answered."""
    return {g: n for g, n in lag.items() if g not in BEHIND_ALLOWED}
# The benchmark measures the pipeline, not the per-source token bucket in front of it;
# partitions as `socialcare up` creates them (the ceiling of worker parallelism).
STACK_ENV = {"SOCIALCARE_INGEST_RATE_PER_S": "1000000", "SOCIALCARE_INGEST_RATE_BURST": "1000000",
             "SOCIALCARE_TOPIC_PARTITIONS": "6"}


def surge_env(model: TrafficModel) -> dict[str, str]:
    """Surge detection a spike of seconds can trip (the README says why these values).

    The brand is new in every run, so its usual rate is the default: set to the baseline,
    as a brand's learned rate would be. A one-minute window, as the default five minutes
    would average a 60 s spike of 10x down to 2.8x; checked every 5 s; closed after one
    calm minute, so the close is seen before the stack stops.
    """
    return {"SOCIALCARE_SURGE_DEFAULT_PER_MINUTE": f"{model.baseline * 60:g}",
            "SOCIALCARE_SURGE_WINDOW_MINUTES": "1", "SOCIALCARE_SURGE_CHECK_S": "5",
            "SOCIALCARE_SURGE_QUIET_MINUTES": "1"}


@dataclass
class Options:
    model: TrafficModel
    templates: list[Template]
    reply_share: float = 0.02
    drain_threshold: int = 100
    max_drain_s: float = 60.0
    tick_s: float = 0.05
    state_root: Path = Path("bench/results/spike/stacks")
    burst_share: float = 0.5
    incident_wait_s: float = 180.0


@dataclass
class RunResult:
    """What one run measured; times are seconds after the first offered message."""

    workers: int
    model: TrafficModel
    load_before: str
    load_after: str = ""
    samples: list[Sample] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (received, ms)
    stored: list[float] = field(default_factory=list)
    replies: list[tuple[float, float, float]] = field(default_factory=list)
    reply_failures: int = 0
    ended_s: float = 0.0
    pids: dict[str, int] = field(default_factory=dict)
    # The burst: when its first message was written (ISO 8601), how many were offered and
    # stored, how many other messages of the brand were stored (read after the clusters,
    # so every member counts), and what the inbox API said afterwards.
    burst_start: str | None = None
    burst_offered: int = 0
    burst_stored: int = 0
    unrelated: int = 0
    incidents: list[dict] = field(default_factory=list)
    clusters: list[list[str]] = field(default_factory=list)  # member ids per cluster


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def spike_run(endpoints: Endpoints, workers: int, options: Options) -> RunResult:
    """Starts a stack with ``workers`` per stream service, runs the model, cleans up."""
    stack = IsolatedStack(endpoints, options.state_root, label="spike", workers=workers)
    result = RunResult(workers, options.model, load_average())
    console.rule(f"{workers} worker(s) per stream service")
    surges = surge_env(options.model) if options.burst_share else {}
    with isolated_stack(stack, endpoints.mongo_url, delete_topics=True, console=console,
                        **STACK_ENV, **surges):
        db = MongoClient(endpoints.mongo_url, tz_aware=True)[stack.database]
        ingest = f"http://127.0.0.1:{stack.ingest_port}/v1/messages"
        # Warm-up: fresh workers take seconds to fetch their first records.
        warmup = new_run_id()
        asyncio.run(offer_singly(warmup, 50, 50.0, ingest))
        wait_stored(db.messages, warmup, 50)
        result.pids = stack.pids() | {f"{row.name} (shared)": row.pid for row in infra_status()
                                      if row.pid} | {"load generator": os.getpid()}
        run = new_run_id()
        wall0, started = asyncio.run(_drive(stack, run, options, result))
        result.load_after = load_average()
        # "Drained" allows a few records of lag: let those be stored before reading.
        accepted = sum(r.accepted for r in result.requests)
        wait_until(lambda: db.messages.count_documents(_inbound(run)) >= accepted, 30, 0.5)
        if result.burst_start:
            inbox = Inbox(f"http://127.0.0.1:{stack.inbox_port}")
            try:
                result.incidents = inbox.wait_closed(
                    BRAND, datetime.fromisoformat(result.burst_start), options.incident_wait_s)
                result.clusters = inbox.cluster_members(BRAND)
            finally:
                inbox.close()
        _collect(db, run, wall0, result)
    return result


async def _drive(stack: IsolatedStack, run: str, options: Options,
                 result: RunResult) -> tuple[datetime, float]:
    model = options.model
    agent = ScriptedAgent(f"http://127.0.0.1:{stack.inbox_port}", "dev-agent-key",
                          stack.kafka_bootstrap, stack.prefix + topics.CONVERSATIONS_UPDATED,
                          options.reply_share)
    ready = asyncio.Event()
    agent_task = asyncio.create_task(agent.run(ready))
    await asyncio.wait_for(ready.wait(), 30)
    source = MessageSource(run, options.templates)
    started = time.perf_counter()
    wall0 = datetime.now(UTC)
    sampler = Sampler(stack.kafka_bootstrap, {k: stack.prefix + v for k, v in TOPICS.items()},
                      {k: stack.prefix + v for k, v in GROUPS.items()}, INPUTS, result.pids,
                      started).start()
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"offering {model.expected():,} messages",
                                     total=model.duration)
            result.requests = await offer(
                f"http://127.0.0.1:{stack.ingest_port}/v1/messages", "dev-ingest-key", model,
                source, started, options.tick_s,
                on_tick=lambda due: progress.update(task, completed=due),
                burst_share=options.burst_share)
            result.burst_start, result.burst_offered = source.burst_started, source.burst_sent
        await _wait_drained(sampler, options)
    finally:
        result.samples = sampler.stop()
        result.ended_s = time.perf_counter() - started
        agent_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await agent_task
        result.reply_failures = agent.refused
    return wall0, started


async def _wait_drained(sampler: Sampler, options: Options) -> None:
    """After the schedule: until every group's lag is under the threshold for 3 s, or give up."""
    deadline = time.perf_counter() + options.max_drain_s
    calm = 0
    with console.status("draining") as status:
        while time.perf_counter() < deadline and calm < 3:
            await asyncio.sleep(1.0)
            if not sampler.samples:
                continue
            lag = pipeline_lag(sampler.samples[-1].lag)
            status.update(f"draining: lag {', '.join(f'{g} {n:,}' for g, n in lag.items())}")
            calm = calm + 1 if all(n <= options.drain_threshold for n in lag.values()) else 0


def _inbound(run: str) -> dict:
    """The query for the customer messages of run ``run``."""
    return {"platform_message_id": {"$regex": f"^{run}-"}, "direction": "inbound"}


def _collect(db: object, run: str, wall0: datetime, result: RunResult) -> None:
    """Latencies from MongoDB: ``stored_at - received_at`` (both stamped on this machine)."""
    def since(moment: datetime) -> float:
        return (moment - wall0).total_seconds()

    docs = list(db.messages.find(  # type: ignore[attr-defined]
        _inbound(run), {"received_at": 1, "stored_at": 1, "conversation_id": 1,
                        "platform_message_id": 1}))
    result.burst_stored = sum(1 for d in docs if is_burst(d["platform_message_id"]))
    result.unrelated = len(docs) - result.burst_stored
    result.latencies = [(since(d["received_at"]),
                         (d["stored_at"] - d["received_at"]).total_seconds() * 1000) for d in docs]
    result.stored = [since(d["stored_at"]) for d in docs]
    received = {}
    for d in docs:
        first = received.get(d["conversation_id"])
        received[d["conversation_id"]] = min(first, d["received_at"]) if first else d["received_at"]
    for reply in db.replies.find({"status": "sent"}):  # type: ignore[attr-defined]
        if reply["conversation_id"] in received:
            result.replies.append((since(reply["requested_at"]),
                                   (reply["sent_at"] - reply["requested_at"]).total_seconds(),
                                   (reply["sent_at"] - received[reply["conversation_id"]])
                                   .total_seconds()))
