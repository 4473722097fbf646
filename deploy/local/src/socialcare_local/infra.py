"""Kafka and MongoDB for local runs and tests: started here, or external by configuration.

``SOCIALCARE_KAFKA_BOOTSTRAP`` / ``SOCIALCARE_MONGO_URL``, when set, name an external
server: nothing starts for it, it is only health-checked.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from socialcare_contracts import topics
from socialcare_local import kafka_server, mongo_server
from socialcare_local.downloads import KAFKA_JARS, MONGO_JARS, JarSet, fetch_missing
from socialcare_local.paths import LocalPaths, LocalPorts
from socialcare_local.processes import (
    ProcessSpec,
    port_open,
    running_pid,
    start_detached,
    state_lock,
    stop,
    tail,
)
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.settings import ServiceSettings


@dataclass(frozen=True)
class Endpoints:
    """Where Kafka and MongoDB answer; ``started`` names the servers this call launched."""

    kafka_bootstrap: str
    mongo_url: str
    started: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Server:
    name: str
    marker: str
    jars: JarSet
    endpoint: str
    ports: tuple[int, ...]
    external: bool
    prepare: Callable[[LocalPaths, LocalPorts, Path], list[str]]
    healthy: Callable[[str], bool]


@dataclass(frozen=True)
class ServerStatus:
    """One row of ``socialcare infra status``."""

    name: str
    mode: str
    endpoint: str
    pid: int | None
    healthy: bool


def _configured(settings: ServiceSettings, field: str) -> str | None:
    value = getattr(settings, field)
    return value if field in settings.model_fields_set and value else None


def _servers(settings: ServiceSettings, ports: LocalPorts) -> list[_Server]:
    kafka = _configured(settings, "kafka_bootstrap")
    mongo = _configured(settings, "mongo_url")
    return [
        _Server(
            kafka_server.NAME, kafka_server.MARKER, KAFKA_JARS,
            kafka or f"127.0.0.1:{ports.kafka}", (ports.kafka, ports.kafka_controller),
            kafka is not None, kafka_server.prepare, kafka_server.healthy,
        ),
        _Server(
            mongo_server.NAME, mongo_server.MARKER, MONGO_JARS,
            mongo or f"mongodb://127.0.0.1:{ports.mongo}", (ports.mongo,),
            mongo is not None, mongo_server.prepare, mongo_server.healthy,
        ),
    ]


def configured_endpoints() -> Endpoints:
    """Where Kafka and MongoDB are expected to answer, without starting anything."""
    kafka, mongo = _servers(ServiceSettings(), LocalPorts.from_env())
    return Endpoints(kafka.endpoint, mongo.endpoint)


def ensure_infra(timeout_s: float = 120.0, console: Console | None = None) -> Endpoints:
    """Starts Kafka and MongoDB unless running or external, waits healthy, creates topics."""
    console = console or Console()
    settings = ServiceSettings()
    paths, ports = LocalPaths.from_env(), LocalPorts.from_env()
    servers = _servers(settings, ports)
    local = [server for server in servers if not server.external]
    started: list[str] = []
    with state_lock(paths, "infra"):
        libs = fetch_missing(paths, [server.jars for server in local])
        for server in local:
            if running_pid(paths, server.name, server.marker) is not None:
                continue
            busy = [port for port in server.ports if port_open(port)]
            if busy:
                raise RuntimeError(
                    f"{server.name}: port {busy[0]} is taken by a process not started here; "
                    "stop it, choose SOCIALCARE_LOCAL_*_PORT, or point SOCIALCARE_KAFKA_BOOTSTRAP"
                    " / SOCIALCARE_MONGO_URL at it"
                )
            argv = server.prepare(paths, ports, libs[server.jars.name])
            start_detached(paths, ProcessSpec(server.name, argv, server.marker))
            started.append(server.name)
        with console.status(f"waiting for {', '.join(s.name for s in servers)}"):
            _wait_healthy(paths, servers, timeout_s)
    kafka, mongo = servers
    ensure_topics(
        kafka.endpoint, [settings.topic(name) for name in topics.ALL],
        settings.topic_partitions, settings.topic_replication_factor,
    )
    return Endpoints(kafka.endpoint, mongo.endpoint, tuple(started))


def _wait_healthy(paths: LocalPaths, servers: list[_Server], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    waiting = list(servers)
    while waiting:
        for server in list(waiting):
            if not server.external and running_pid(paths, server.name, server.marker) is None:
                log = paths.log_file(server.name)
                raise RuntimeError(f"{server.name} exited; end of {log}:\n{tail(log)}")
            # A closed port answers at once; only then is the (slower) protocol check worth it.
            if (server.external or port_open(server.ports[0])) and server.healthy(server.endpoint):
                waiting.remove(server)
        if waiting and time.monotonic() > deadline:
            names = ", ".join(f"{s.name} ({s.endpoint})" for s in waiting)
            raise TimeoutError(f"not healthy after {timeout_s:.0f} s: {names}")
        if waiting:
            time.sleep(0.3)


def stop_infra(names: tuple[str, ...] | None = None) -> list[str]:
    """Stops the local servers (all, or those named); returns the names that were running."""
    paths = LocalPaths.from_env()
    servers = _servers(ServiceSettings(), LocalPorts.from_env())
    stopped = []
    with state_lock(paths, "infra"):
        for server in servers:
            if (names is None or server.name in names) and stop(paths, server.name, server.marker):
                stopped.append(server.name)
    return stopped


def infra_status() -> list[ServerStatus]:
    """Mode, endpoint, pid and health of Kafka and MongoDB."""
    paths = LocalPaths.from_env()
    rows = []
    for server in _servers(ServiceSettings(), LocalPorts.from_env()):
        pid = None if server.external else running_pid(paths, server.name, server.marker)
        reachable = server.external or port_open(server.ports[0])
        rows.append(ServerStatus(
            server.name, "external" if server.external else "local", server.endpoint, pid,
            reachable and server.healthy(server.endpoint),
        ))
    return rows
