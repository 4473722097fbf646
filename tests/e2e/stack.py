"""Starts every SocialCare service as its own process, isolated by topic prefix and database."""

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from kafka import KafkaAdminClient

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    kafka_bootstrap: str
    mongo_url: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prefix = f"e2e{self.run_id}."
        self.database = f"e2e_{self.run_id}"
        self.ingest_port, self.inbox_port, self.gateway_port = free_port(), free_port(), free_port()
        self.logs = ARTIFACTS / f"e2e-{self.run_id}"
        self.logs.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ,
                "SOCIALCARE_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
                "SOCIALCARE_MONGO_URL": self.mongo_url,
                "SOCIALCARE_MONGO_DATABASE": self.database,
                "SOCIALCARE_TOPIC_PREFIX": self.prefix,
                "SOCIALCARE_TOPIC_PARTITIONS": "3",
                "SOCIALCARE_INGEST_PORT": str(self.ingest_port),
                "SOCIALCARE_INBOX_PORT": str(self.inbox_port),
                "SOCIALCARE_GATEWAY_PORT": str(self.gateway_port),
                "SOCIALCARE_GATEWAYS": f'{{"*": "127.0.0.1:{self.gateway_port}"}}'}

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen([sys.executable, "-m", *args], env=self.env,
                                                stdout=log, stderr=subprocess.STDOUT)

    def start_all(self) -> None:
        self.start("gateway", "socialcare_gateways", "sandbox")
        self.start("ingest", "socialcare_ingest")
        self.start("classifier", "socialcare_classifier")
        self.start("router-worker", "socialcare_router", "worker")
        self.start("router-api", "socialcare_router", "api")
        self.start("responder", "socialcare_responder")
        self.wait_ready()

    def wait_ready(self, timeout_s: float = 90.0) -> None:
        """Waits for both HTTP APIs and for every worker's consumer group to be Stable."""
        deadline = time.monotonic() + timeout_s
        groups = [f"{self.prefix}socialcare-{g}" for g in ("classifier", "router", "responder")]
        pending = {"ingest", "inbox", *groups}
        admin = KafkaAdminClient(bootstrap_servers=self.kafka_bootstrap)
        try:
            while pending and time.monotonic() < deadline:
                for name, proc in self.processes.items():
                    if proc.poll() is not None:
                        raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.logs}")
                for name, port in (("ingest", self.ingest_port), ("inbox", self.inbox_port)):
                    if name in pending and _ready(f"http://127.0.0.1:{port}/readyz"):
                        pending.discard(name)
                described = admin.describe_groups([g for g in groups if g in pending]) \
                    if pending & set(groups) else {}
                for group, info in described.items():
                    if info.get("group_state") == "Stable" and info.get("members"):
                        pending.discard(group)
                time.sleep(0.5)
        finally:
            admin.close()
        if pending:
            raise TimeoutError(f"not ready after {timeout_s}s: {sorted(pending)}; see {self.logs}")

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.processes):
            proc = self.processes.pop(key)
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False
