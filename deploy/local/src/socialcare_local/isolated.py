"""A SocialCare stack of its own beside any other one, on the same Kafka and MongoDB server.

It runs every service through the project's supervisor with its own state folder (logs,
pids), free ports, a topic prefix and a database, so end-to-end tests and benchmarks never
touch a stack the developer has running, nor each other.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from pymongo import MongoClient
from rich.console import Console

from socialcare_local.infra import Endpoints
from socialcare_local.paths import LocalPaths
from socialcare_local.processes import running_pid
from socialcare_local.services import instances, start_services, stop_services, wait_ready


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class IsolatedStack:
    """Names, ports and environment of one isolated stack (``label`` tells whose it is)."""

    endpoints: Endpoints
    state_root: Path
    label: str = "e2e"
    workers: int = 1
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        self.prefix = f"{self.label}{self.run_id}."
        self.database = f"{self.label}_{self.run_id}"
        self.ingest_port, self.inbox_port, self.gateway_port = free_port(), free_port(), free_port()
        self.state_dir = self.state_root / f"{self.label}-{self.run_id}"
        self.env = {
            "SOCIALCARE_STATE_DIR": str(self.state_dir),
            "SOCIALCARE_MONGO_DATABASE": self.database,
            "SOCIALCARE_TOPIC_PREFIX": self.prefix,
            "SOCIALCARE_TOPIC_PARTITIONS": "3",
            "SOCIALCARE_INGEST_PORT": str(self.ingest_port),
            "SOCIALCARE_INBOX_PORT": str(self.inbox_port),
            "SOCIALCARE_GATEWAY_PORT": str(self.gateway_port),
            "SOCIALCARE_CLASSIFIER_ADMIN_PORT": str(free_port()),
            "SOCIALCARE_GATEWAYS": f'{{"*": "127.0.0.1:{self.gateway_port}"}}',
            "SOCIALCARE_WORKERS": str(self.workers),
            # Faust's table folders beside the logs, not left behind in the system temp dir.
            "SOCIALCARE_STREAM_DATA_DIR": str(self.state_dir / "streams"),
        }

    @property
    def kafka_bootstrap(self) -> str:
        return self.endpoints.kafka_bootstrap

    @contextmanager
    def environment(self) -> Iterator[None]:
        """This stack's settings in ``os.environ`` for the block (the supervisor reads them)."""
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def start_all(self, timeout_s: float = 120.0, console: Console | None = None) -> None:
        with self.environment():
            start_services(self.endpoints)
            wait_ready(self.endpoints, instances(), timeout_s=timeout_s, console=console)

    def stop_all(self) -> None:
        with self.environment():
            stop_services()

    def pids(self) -> dict[str, int]:
        """Process name -> pid of every running instance (for CPU and memory sampling)."""
        with self.environment():
            paths = LocalPaths.from_env()
            found = {s.name: running_pid(paths, s.name, s.marker) for s in instances()}
        return {name: pid for name, pid in found.items() if pid is not None}

    def delete_topics(self) -> list[str]:
        """Deletes every topic and consumer group behind this stack's prefix (faust's too)."""
        admin = KafkaAdminClient(bootstrap_servers=self.kafka_bootstrap)
        try:
            names = [t for t in admin.list_topics() if t.startswith(self.prefix)]
            if names:
                admin.delete_topics(names)
            groups = [g["group_id"] for g in admin.list_groups()
                      if g["group_id"].startswith(self.prefix)]
            try:
                if groups:
                    admin.delete_groups(groups)
            # A group a killed worker left still has members until its session times out.
            except KafkaError:
                pass
            return names
        finally:
            admin.close()


@contextmanager
def isolated_stack(stack: IsolatedStack, mongo_url: str, delete_topics: bool = False,
                   console: Console | None = None, **env: str) -> Iterator[IsolatedStack]:
    """``stack`` started with extra environment; stopped and its database dropped after."""
    stack.env.update(env)
    try:
        stack.start_all(console=console)
        yield stack
    finally:
        stack.stop_all()
        MongoClient(mongo_url).drop_database(stack.database)
        if delete_topics:
            stack.delete_topics()
