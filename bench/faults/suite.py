"""One fault-injection run: a private stack, traffic and an agent, the faults, reconciliation."""

import asyncio
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from bench.faults.actions import FaultRunner, GatewayPhases
from bench.faults.agent import AgentStats, ScriptedAgent
from bench.faults.collect import MAX_MESSAGE, observe
from bench.faults.reconcile import Reconciliation, reconcile
from bench.faults.schedule import ScheduledFault, fault_kinds, plan
from bench.faults.servers import QUIET, private_stack, start_servers, stop_servers
from bench.faults.traffic import TrafficStats, drive
from socialcare_contracts import topics
from socialcare_local.isolated import IsolatedStack
from socialcare_local.paths import REPO_ROOT, LocalPaths
from socialcare_local.processes import running_pid
from socialcare_local.services import instances, start_services, stop_services, wait_ready
from socialcare_runtime.metrics import consumer_lag


@dataclass(frozen=True)
class SuiteConfig:
    messages: int = 3000
    rate_per_s: float = 40.0
    repeats: int = 1
    kinds: tuple[str, ...] = fault_kinds()
    seed: int = 1
    messages_per_customer: int = 3
    # Short, so replies caught in the gateway outage fail for good (visibly) within the run.
    reply_give_up_s: float = 10.0
    # A circuit that stays open longer than the give-up time fails every reply it holds.
    circuit_reset_s: float = 3.0
    # Settling waits while the backlog shrinks; it gives up after this long without progress.
    settle_stall_s: float = 90.0
    gateway: GatewayPhases = GatewayPhases()
    keep_data: bool = False
    state_root: Path = REPO_ROOT / ".local"


@dataclass
class FaultDone:
    planned_s: float
    started_s: float
    kind: str
    took_s: float
    what: str


@dataclass
class Progress:
    """What a progress display shows; updated as the run goes."""

    offered: int = 0
    accepted: int = 0
    # Routed: accepted less what the classifier and router groups have not committed yet.
    stored: int = 0
    faults_done: int = 0
    faults_total: int = 0
    replies: int = 0
    phase: str = "starting"


@dataclass
class SuiteResult:
    config: SuiteConfig
    run_id: str
    faults: list[FaultDone]
    traffic: TrafficStats
    agent: AgentStats
    reconciliation: Reconciliation
    unplanned_exits: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    state_dir: Path | None = None  # logs (and, after a failed run, the data)
    # What settling stopped waiting for while it was still outstanding ("messages", "replies").
    gave_up: list[str] = field(default_factory=list)


Tick = Callable[[Progress], None]


def run_suite(config: SuiteConfig, tick: Tick = lambda _: None) -> SuiteResult:
    """Starts a private stack, runs traffic through the faults, reconciles, tears down."""
    stack = private_stack(config.state_root)
    stack.env["SOCIALCARE_REPLY_GIVE_UP_AFTER_S"] = str(config.reply_give_up_s)
    stack.env["SOCIALCARE_CIRCUIT_RESET_AFTER_S"] = str(config.circuit_reset_s)
    # ListSent answers with every record at once, beyond the gateway's usual 256 KiB.
    stack.env["SOCIALCARE_GATEWAY_MAX_MESSAGE_BYTES"] = str(MAX_MESSAGE)
    result: SuiteResult | None = None
    with stack.environment():
        try:
            started = time.monotonic()
            stack.endpoints = start_servers()
            start_services(stack.endpoints)
            wait_ready(stack.endpoints, timeout_s=180, console=QUIET)
            result = asyncio.run(_run(stack, config, tick))
            result.timings["stack start"] = result.timings.pop("_started") - started
            result.state_dir = stack.state_dir
            return result
        finally:
            stop_services()
            stop_servers()
            # The data of a failed run is kept to look into; a passing run keeps only its logs.
            if not config.keep_data and result is not None and result.reconciliation.ok:
                for data in ("kafka", "mongo"):
                    shutil.rmtree(stack.state_dir / data, ignore_errors=True)


async def _run(stack: IsolatedStack, config: SuiteConfig, tick: Tick) -> SuiteResult:
    t0 = time.monotonic()
    progress = Progress()
    traffic, agent_stats = TrafficStats(), AgentStats()
    runner = FaultRunner(stack, config.gateway, [])
    schedule = plan(config.kinds, config.repeats, config.messages / config.rate_per_s,
                    config.seed)
    progress.faults_total = len(schedule)
    customers = max(1, config.messages // config.messages_per_customer)
    stop_agent = asyncio.Event()
    agent = ScriptedAgent(f"http://127.0.0.1:{stack.inbox_port}", agent_stats)
    agent_task = asyncio.create_task(agent.work(stop_agent))
    traffic_task = asyncio.create_task(drive(
        f"http://127.0.0.1:{stack.ingest_port}", stack.run_id, config.messages,
        config.rate_per_s, customers, traffic))
    backlog = Backlog(stack)
    ticker = asyncio.create_task(_tick(backlog, progress, traffic, agent_stats, tick))
    exits: list[str] = []
    progress.phase = "traffic and faults"
    done = await _apply_all(runner, schedule, t0, progress, exits)
    await traffic_task
    traffic_s = time.monotonic() - t0
    progress.phase = "settling"
    # Settled by Kafka offsets: counting stored messages in MongoDB every second was itself
    # a scan of the growing collection under mongo-java-server's lock, which starved the
    # router it waited for. The reconciliation counts the database once, at the end.
    gave_up = [] if await _settle(backlog, config.settle_stall_s) else ["messages"]
    stop_agent.set()
    await agent_task
    if not await _settle(lambda: _count(stack, "replies", {"status": "requested"}),
                         config.reply_give_up_s + 60):
        gave_up.append("replies")
    settled_s = time.monotonic() - t0
    exits += await asyncio.to_thread(_restart_exited, stack)
    progress.phase = "reconciling"
    seen = await asyncio.to_thread(observe, stack, traffic.accepted, agent_stats,
                                   runner.poison_planted)
    ticker.cancel()
    backlog.close()
    return SuiteResult(config, stack.run_id, done, traffic, agent_stats, reconcile(seen), exits,
                       {"_started": t0, "traffic and faults": traffic_s,
                        "settling after": settled_s - traffic_s}, gave_up=gave_up)


async def _apply_all(runner: FaultRunner, schedule: list[ScheduledFault], t0: float,
                     progress: Progress, exits: list[str]) -> list[FaultDone]:
    """The faults one after another, each at its moment or as soon as the previous ended."""
    done = []
    for fault in schedule:
        await asyncio.sleep(max(0.0, t0 + fault.at_s - time.monotonic()))
        exits += await asyncio.to_thread(_restart_exited, runner.stack)
        started = time.monotonic()
        what = await asyncio.to_thread(runner.apply, fault.kind)
        done.append(FaultDone(fault.at_s, started - t0, fault.kind,
                              time.monotonic() - started, what))
        exits += await asyncio.to_thread(_restart_exited, runner.stack)
        progress.faults_done = len(done)
    return done


def _restart_exited(stack: IsolatedStack) -> list[str]:
    """Services that died without being killed: noted, then started again so the run goes on."""
    paths = LocalPaths.from_env()
    exited = tuple(s for s in instances() if running_pid(paths, s.name, s.marker) is None)
    if exited:
        start_services(stack.endpoints, exited)
        wait_ready(stack.endpoints, exited, timeout_s=120, console=QUIET)
    return [s.name for s in exited]


# The message topics in pipeline order, each with the group that consumes it.
MESSAGE_STAGES = ((topics.MESSAGES_RECEIVED, "socialcare-classifier"),
                  (topics.MESSAGES_CLASSIFIED, "socialcare-router"))


class Backlog:
    """Messages the classifier and the router have not committed yet, from Kafka offsets.

    One admin connection serves the progress display and settling (both poll every second);
    it is made again after a broker restart. Calling it gives None while Kafka is away.
    """

    def __init__(self, stack: IsolatedStack) -> None:
        self._stack = stack
        self._admin: KafkaAdminClient | None = None
        self._lock = threading.Lock()  # both pollers call from worker threads

    def __call__(self) -> int | None:
        prefix = self._stack.prefix
        with self._lock:
            try:
                self._admin = self._admin or KafkaAdminClient(
                    bootstrap_servers=self._stack.kafka_bootstrap, request_timeout_ms=5000)
                lags = [(consumer_lag(self._admin, prefix + group), prefix + topic)
                        for topic, group in MESSAGE_STAGES]
            except KafkaError:
                self.close()
                return None
        # A group that has not committed on its topic yet gives no news.
        return None if any(t not in lag for lag, t in lags) else sum(
            lag[t] for lag, t in lags)

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None


def _count(stack: IsolatedStack, collection: str, query: dict) -> int:
    with MongoClient(stack.endpoints.mongo_url, serverSelectionTimeoutMS=2000) as client:
        return client[stack.database][collection].count_documents(query)


async def _settle(backlog: Callable[[], int | None], stall_s: float) -> bool:
    """Waits until ``backlog`` is zero, for as long as it keeps shrinking."""
    best, since = None, time.monotonic()
    while time.monotonic() - since < stall_s:
        try:
            left = await asyncio.to_thread(backlog)
        except PyMongoError:
            left = None  # MongoDB restarting: no news
        if left is not None and left <= 0:
            return True
        if left is not None and (best is None or left < best):
            best, since = left, time.monotonic()
        await asyncio.sleep(1.0)
    return False


async def _tick(backlog: Callable[[], int | None], progress: Progress, traffic: TrafficStats,
                agent: AgentStats, tick: Tick) -> None:
    while True:
        progress.offered, progress.accepted = traffic.offered, len(traffic.accepted)
        progress.replies = len(agent.replies)
        left = await asyncio.to_thread(backlog)
        if left is not None:  # else Kafka is restarting: keep the last figure
            progress.stored = max(0, progress.accepted - left)
        tick(progress)
        await asyncio.sleep(1.0)
