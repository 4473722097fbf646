"""The SocialCare services as background processes: the table, start, readiness, stop."""

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

import httpx
from dotenv import dotenv_values
from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from rich.console import Console

from socialcare_local.infra import Endpoints
from socialcare_local.paths import LocalPaths
from socialcare_local.processes import (
    ProcessSpec,
    port_open,
    running_pid,
    start_detached,
    state_lock,
    stop,
    tail,
)
from socialcare_runtime.settings import ServiceSettings


def env_port(name: str, default: int) -> int:
    """A service port as the service itself reads it from the environment."""
    return int(os.environ.get(name) or default)


class Readiness(Protocol):
    def ready(self, endpoints: Endpoints) -> bool: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class PortOpen:
    """Ready when the port accepts TCP connections (gRPC servers)."""

    port_env: str
    default: int

    def ready(self, endpoints: Endpoints) -> bool:
        return port_open(env_port(self.port_env, self.default))

    def describe(self) -> str:
        return f"TCP :{env_port(self.port_env, self.default)} open"


@dataclass(frozen=True)
class HttpReady:
    """Ready when ``GET /readyz`` answers 200."""

    port_env: str
    default: int
    path: str = "/readyz"

    def base_url(self) -> str:
        return f"http://127.0.0.1:{env_port(self.port_env, self.default)}"

    def url(self) -> str:
        return f"{self.base_url()}{self.path}"

    def ready(self, endpoints: Endpoints) -> bool:
        try:
            return httpx.get(self.url(), timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def describe(self) -> str:
        return f"GET {self.url()} == 200"


@dataclass(frozen=True)
class GroupStable:
    """Ready when the Kafka consumer group is Stable with at least ``members`` members.

    The group is the worker's app id behind SOCIALCARE_TOPIC_PREFIX, as the workers name it.
    Waiting for every instance of a scaled worker keeps its rebalances out of the first
    traffic.
    """

    app_id: str
    members: int = 1

    @property
    def group(self) -> str:
        return ServiceSettings().topic(self.app_id)

    def ready(self, endpoints: Endpoints) -> bool:
        members = self.stable_members(endpoints)
        return members is not None and len(members) >= self.members

    def stable_members(self, endpoints: Endpoints) -> set[str] | None:
        """The member ids while the group is Stable; None while it is not, or unreachable."""
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=endpoints.kafka_bootstrap, request_timeout_ms=2000
            )
        except KafkaError:
            return None
        group = self.group
        try:
            described = admin.describe_groups([group]).get(group) or {}
        # No coordinator yet (no group has ever committed on this cluster), or an answer
        # without the group while it is being created: a probe says "not yet", never raises.
        except (KafkaError, KeyError, TypeError):
            return None
        finally:
            admin.close()
        if described.get("group_state") != "Stable":
            return None
        return {member["member_id"] for member in described.get("members") or ()}

    def describe(self) -> str:
        members = f" with {self.members} members" if self.members > 1 else ""
        return f"group {self.group} Stable{members}"


@dataclass(frozen=True)
class Service:
    """One row of the table: ``python -m <module> <args>`` and how to tell it is ready.

    A stream worker ``scales``: several instances share its consumer group.
    """

    name: str
    module: str
    args: tuple[str, ...]
    readiness: Readiness
    scales: bool = False

    @property
    def marker(self) -> str:
        return " ".join(("-m", self.module, *self.args))

    def argv(self) -> list[str]:
        return [sys.executable, "-m", self.module, *self.args]


INGEST_HTTP = HttpReady("SOCIALCARE_INGEST_PORT", 8081)
INBOX_HTTP = HttpReady("SOCIALCARE_INBOX_PORT", 8082)

SERVICES: tuple[Service, ...] = (
    Service("gateway-sandbox", "socialcare_gateways", ("sandbox",),
            PortOpen("SOCIALCARE_GATEWAY_PORT", 50051)),
    Service("ingest", "socialcare_ingest", (), INGEST_HTTP),
    Service("classifier", "socialcare_classifier", (), GroupStable("socialcare-classifier"),
            scales=True),
    # The deep stage: one instance (it holds a core at ~30 messages/s; it may lag, routing
    # never waits for it).
    Service("classifier-deep", "socialcare_classifier", ("deep",),
            GroupStable("socialcare-classifier-deep")),
    Service("classifier-api", "socialcare_classifier", ("api",),
            HttpReady("SOCIALCARE_CLASSIFIER_ADMIN_PORT", 8083, path="/healthz")),
    Service("router-worker", "socialcare_router", ("worker",), GroupStable("socialcare-router"),
            scales=True),
    Service("router-api", "socialcare_router", ("api",), INBOX_HTTP),
    Service("responder", "socialcare_responder", (), GroupStable("socialcare-responder"),
            scales=True),
)


def worker_count(workers: int | None = None) -> int:
    """Instances of each stream worker: ``workers``, else SOCIALCARE_WORKERS, else 1."""
    raw = workers if workers is not None else os.environ.get("SOCIALCARE_WORKERS") or 1
    try:
        count = int(raw)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"workers per stream service must be a whole number >= 1, not {raw!r}")
    return count


def instances(workers: int | None = None,
              services: tuple[Service, ...] = SERVICES) -> tuple[Service, ...]:
    """The processes to run: each stream worker ``worker_count(workers)`` times.

    Instances are named ``classifier``, ``classifier-2``, ... (own pid file and log), so
    status, logs and stop address each one, and one worker keeps its usual name.
    """
    count = worker_count(workers)
    out: list[Service] = []
    for service in services:
        if not service.scales:
            out.append(service)
            continue
        readiness = service.readiness
        if isinstance(readiness, GroupStable):
            readiness = replace(readiness, members=count)
        out.extend(replace(service, name=instance_name(service.name, i), readiness=readiness)
                   for i in range(1, count + 1))
    return tuple(out)


def instance_name(name: str, index: int) -> str:
    """The process name of a stream worker's ``index``-th instance (1-based)."""
    return name if index == 1 else f"{name}-{index}"


def known_instances(services: tuple[Service, ...] = SERVICES) -> tuple[Service, ...]:
    """The configured instances plus any left with a pid file by a wider start."""
    paths = LocalPaths.from_env()
    started = [int(suffix) for s in services if s.scales
               for f in paths.pids.glob(f"{s.name}-*.pid")
               if (suffix := f.stem.removeprefix(f"{s.name}-")).isdigit()]
    return instances(max([worker_count(), *started]), services)


def dotenv() -> dict[str, str]:
    """The settings in the current directory's ``.env`` file."""
    return {k: v for k, v in dotenv_values(".env").items() if v is not None}


def service_env(endpoints: Endpoints) -> dict[str, str]:
    """The caller's environment (over its ``.env`` file) plus where Kafka and MongoDB are."""
    return {
        **dotenv(),
        **os.environ,
        "SOCIALCARE_KAFKA_BOOTSTRAP": endpoints.kafka_bootstrap,
        "SOCIALCARE_MONGO_URL": endpoints.mongo_url,
        "PYTHONUNBUFFERED": "1",  # logs reach the file as they are written
    }


def start_services(
    endpoints: Endpoints, services: tuple[Service, ...] | None = None,
    workers: int | None = None,
) -> list[str]:
    """Starts the services not running yet, in the state folder; returns their names.

    By default these are ``instances(workers)``; instances of a wider earlier start stop.
    """
    paths = LocalPaths.from_env()
    if services is None:
        services = instances(workers)
        wanted = {s.name for s in services}
        surplus = tuple(s for s in known_instances() if s.name not in wanted)
        if surplus:
            stop_services(surplus)
    env = service_env(endpoints)
    # Faust workers keep their data in ./<app id>-data: in the state folder, not the user's cwd.
    paths.run.mkdir(parents=True, exist_ok=True)
    started = []
    with state_lock(paths, "services"):
        for service in services:
            if running_pid(paths, service.name, service.marker) is None:
                spec = ProcessSpec(service.name, service.argv(), service.marker, env, paths.run)
                start_detached(paths, spec)
                started.append(service.name)
    return started


def wait_ready(
    endpoints: Endpoints,
    services: tuple[Service, ...] | None = None,
    timeout_s: float = 120.0,
    console: Console | None = None,
) -> None:
    """Waits until every service (default ``instances()``) is ready; fails fast when one exits."""
    paths = LocalPaths.from_env()
    waiting = list(services if services is not None else instances())
    deadline = time.monotonic() + timeout_s
    with (console or Console()).status("") as status:
        while waiting:
            status.update(f"waiting for {', '.join(s.name for s in waiting)}")
            for service in list(waiting):
                if running_pid(paths, service.name, service.marker) is None:
                    log = paths.log_file(service.name)
                    raise RuntimeError(f"{service.name} exited; end of {log}:\n{tail(log)}")
                if service.readiness.ready(endpoints):
                    waiting.remove(service)
            if waiting and time.monotonic() > deadline:
                pending = "; ".join(f"{s.name}: {s.readiness.describe()}" for s in waiting)
                raise TimeoutError(f"not ready after {timeout_s:.0f} s: {pending}")
            if waiting:
                time.sleep(0.5)


def stop_services(services: tuple[Service, ...] | None = None) -> list[str]:
    """Stops the running services (default: every known instance), all at once; their names."""
    paths = LocalPaths.from_env()
    services = services if services is not None else known_instances()
    with state_lock(paths, "services"), ThreadPoolExecutor(max(1, len(services))) as pool:
        stopped = pool.map(lambda s: stop(paths, s.name, s.marker), services)
        return [s.name for s, was_running in zip(services, stopped, strict=True) if was_running]


@dataclass(frozen=True)
class ServiceStatus:
    """One row of ``socialcare status``."""

    name: str
    pid: int | None
    ready: bool
    readiness: str


def services_status(
    endpoints: Endpoints, services: tuple[Service, ...] | None = None
) -> list[ServiceStatus]:
    """Pid and readiness of every service (default: every known instance)."""
    paths = LocalPaths.from_env()
    services = services if services is not None else known_instances()
    rows = []
    for service in services:
        pid = running_pid(paths, service.name, service.marker)
        ready = pid is not None and service.readiness.ready(endpoints)
        rows.append(ServiceStatus(service.name, pid, ready, service.readiness.describe()))
    return rows
