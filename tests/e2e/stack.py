"""Runs every SocialCare service as its own process, as ``socialcare up`` does, in isolation.

The stack uses the project's own supervisor with its own state folder (logs are kept under
tests/artifacts/), free ports, a topic prefix and a database of its own, so it never
touches a stack the developer has running.
"""

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pymongo import MongoClient

from socialcare_local.infra import Endpoints
from socialcare_local.services import start_services, stop_services, wait_ready

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    endpoints: Endpoints
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __post_init__(self) -> None:
        self.prefix = f"e2e{self.run_id}."
        self.database = f"e2e_{self.run_id}"
        self.ingest_port, self.inbox_port, self.gateway_port = free_port(), free_port(), free_port()
        self.state_dir = ARTIFACTS / f"e2e-{self.run_id}"
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
        }

    @property
    def kafka_bootstrap(self) -> str:
        return self.endpoints.kafka_bootstrap

    @contextmanager
    def environment(self) -> Iterator[None]:
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

    def start_all(self) -> None:
        with self.environment():
            start_services(self.endpoints)
            wait_ready(self.endpoints, timeout_s=120)

    def stop_all(self) -> None:
        with self.environment():
            stop_services()


@contextmanager
def running_stack(infra: Endpoints, mongo_url: str, **env: str) -> Iterator[Stack]:
    """A started stack with extra environment; stopped and its database dropped after."""
    stack = Stack(infra)
    stack.env.update(env)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop_all()
        MongoClient(mongo_url).drop_database(stack.database)


def eventually(probe: Callable[[], object], what: str = "condition",
               timeout_s: float = 45.0) -> object:
    """Polls ``probe`` until it returns something truthy, and returns that."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := probe():
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout_s}s")
