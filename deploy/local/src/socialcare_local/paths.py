"""Where the local stack keeps its downloads and state, and the ports it binds."""

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# deploy/local/src/socialcare_local -> deploy/local -> repository root
LOCAL_DIR = PACKAGE_DIR.parents[1]
REPO_ROOT = LOCAL_DIR.parents[1]
MAVEN_DIR = LOCAL_DIR / "maven"
JAVA_DIR = LOCAL_DIR / "java"
SAMPLE_FILE = LOCAL_DIR / "sample" / "messages.jsonl"


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@dataclass(frozen=True)
class LocalPaths:
    """Cache (downloads, shared between checkouts) and state (data, logs, pids) folders."""

    cache: Path
    state: Path

    @classmethod
    def from_env(cls) -> "LocalPaths":
        """Reads SOCIALCARE_CACHE_DIR and SOCIALCARE_STATE_DIR, defaulting inside the repo."""
        cache = os.environ.get("SOCIALCARE_CACHE_DIR") or REPO_ROOT / ".cache"
        state = os.environ.get("SOCIALCARE_STATE_DIR") or REPO_ROOT / ".local"
        return cls(cache=Path(cache).resolve(), state=Path(state).resolve())

    @property
    def maven_repo(self) -> Path:
        return self.cache / "m2"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def run(self) -> Path:
        """Working directory of the services."""
        return self.state / "run"

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    def log_file(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.pids / f"{name}.pid"


@dataclass(frozen=True)
class LocalPorts:
    """Ports of the servers started here (not used for external ones)."""

    kafka: int
    kafka_controller: int
    mongo: int

    @classmethod
    def from_env(cls) -> "LocalPorts":
        """Reads SOCIALCARE_LOCAL_*_PORT, defaulting to the usual Kafka and MongoDB ports."""
        return cls(
            kafka=_port("SOCIALCARE_LOCAL_KAFKA_PORT", 9092),
            kafka_controller=_port("SOCIALCARE_LOCAL_KAFKA_CONTROLLER_PORT", 9093),
            mongo=_port("SOCIALCARE_LOCAL_MONGO_PORT", 27017),
        )
