"""Runs every SocialCare service as its own process, as ``socialcare up`` does, in isolation.

The stack (``socialcare_local.isolated``) uses the project's own supervisor with its own
state folder (logs are kept under tests/artifacts/), free ports, a topic prefix and a
database of its own, so it never touches a stack the developer has running.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from socialcare_local.infra import Endpoints
from socialcare_local.isolated import IsolatedStack, free_port, isolated_stack
from tests.waiting import eventually

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
__all__ = ["ARTIFACTS", "Stack", "eventually", "free_port", "running_stack"]


@dataclass
class Stack(IsolatedStack):
    state_root: Path = field(default=ARTIFACTS)


@contextmanager
def running_stack(infra: Endpoints, mongo_url: str, **env: str) -> Iterator[Stack]:
    """A started stack with extra environment; stopped and its database dropped after."""
    with isolated_stack(Stack(infra), mongo_url, **env) as stack:
        yield stack


