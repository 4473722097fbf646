"""The suite's own Kafka broker and MongoDB server, which it may restart at will.

They run from the project's infrastructure code on free ports with the stack's state
folder, so the shared 9092/27017 servers (used by everyone else) are never touched.
SOCIALCARE_KAFKA_BOOTSTRAP / SOCIALCARE_MONGO_URL are hidden while they start: set, they
would name an external server and nothing local would start.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from socialcare_local.infra import Endpoints, ensure_infra, stop_infra
from socialcare_local.isolated import IsolatedStack, free_port

EXTERNAL = ("SOCIALCARE_KAFKA_BOOTSTRAP", "SOCIALCARE_MONGO_URL")
# A console of its own: the suite's progress bar is a live display, the infra code's
# "waiting for ..." spinner would be a second one.
QUIET = Console(quiet=True)


def private_ports() -> dict[str, str]:
    """Free ports for a broker, its controller and a MongoDB server."""
    return {"SOCIALCARE_LOCAL_KAFKA_PORT": str(free_port()),
            "SOCIALCARE_LOCAL_KAFKA_CONTROLLER_PORT": str(free_port()),
            "SOCIALCARE_LOCAL_MONGO_PORT": str(free_port())}


@contextmanager
def local_servers_only() -> Iterator[None]:
    saved = {name: os.environ.pop(name, None) for name in EXTERNAL}
    try:
        yield
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})


def start_servers() -> Endpoints:
    """Starts (or reuses) the servers named by the current environment; waits healthy."""
    with local_servers_only():
        return ensure_infra(console=QUIET)


def restart_server(name: str) -> None:
    """Stops one server (SIGTERM, SIGKILL after 20 s) and starts it again, healthy."""
    with local_servers_only():
        stop_infra((name,))
        ensure_infra(console=QUIET)


def stop_servers() -> None:
    with local_servers_only():
        stop_infra()


def private_stack(state_root: Path) -> IsolatedStack:
    """A stack labelled "faults" whose Kafka and MongoDB are its own, in its state folder.

    Its endpoints are filled in by ``start_servers`` once the servers answer.
    """
    stack = IsolatedStack(Endpoints("", ""), state_root, label="faults")
    stack.env.update(private_ports())
    return stack
