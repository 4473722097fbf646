"""Background processes that outlive the CLI: started detached, tracked by pid files."""

import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from socialcare_local.paths import LocalPaths

# `sh` starts the program in the background and exits at once, so the program is
# re-parented to init: no zombie in the CLI or a test session, nothing tied to its terminal.
_DETACH = 'log=$1; shift; "$@" >>"$log" 2>&1 </dev/null & echo $!'


@dataclass(frozen=True)
class ProcessSpec:
    """What to run; ``marker`` is a piece of its command line, so a reused pid is not ours."""

    name: str
    argv: Sequence[str]
    marker: str
    env: Mapping[str, str] | None = None
    cwd: Path | None = None


def is_running(pid: int, marker: str) -> bool:
    """True when ``pid`` is alive (not a zombie) and its command line holds ``marker``."""
    proc = Path("/proc", str(pid))
    if not Path("/proc").is_dir():  # not Linux: the command line cannot be read cheaply
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        state = (proc / "stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and marker.encode() in cmdline


def running_pid(paths: LocalPaths, name: str, marker: str) -> int | None:
    """The pid from ``name``'s pid file when that process still runs, else None."""
    try:
        pid = int(paths.pid_file(name).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if is_running(pid, marker) else None


def start_detached(paths: LocalPaths, spec: ProcessSpec) -> int:
    """Starts ``spec`` in its own session, output appended to its log; returns its pid."""
    paths.logs.mkdir(parents=True, exist_ok=True)
    paths.pids.mkdir(parents=True, exist_ok=True)
    log_file = paths.log_file(spec.name)
    with log_file.open("a") as log:
        log.write(f"\n--- {datetime.now(UTC).isoformat()} starting: {' '.join(spec.argv)}\n")
    env = dict(spec.env) if spec.env is not None else None
    out = subprocess.run(
        ["/bin/sh", "-c", _DETACH, "sh", str(log_file), *spec.argv],
        env=env, cwd=spec.cwd, capture_output=True, text=True, check=True,
        start_new_session=True,
    )
    pid = int(out.stdout.strip())
    paths.pid_file(spec.name).write_text(f"{pid}\n")
    return pid


def stop(paths: LocalPaths, name: str, marker: str, timeout_s: float = 20.0) -> bool:
    """SIGTERM, wait, then SIGKILL; returns True when a running process was stopped."""
    pid = running_pid(paths, name, marker)
    paths.pid_file(name).unlink(missing_ok=True)
    if pid is None:
        return False
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while is_running(pid, marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    if is_running(pid, marker):
        _signal(pid, signal.SIGKILL)
        while is_running(pid, marker):
            time.sleep(0.05)
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    """Signals the process group the detached process leads, so its children go too."""
    try:
        group = os.getpgid(pid)
        if group != os.getpgrp():
            os.killpg(group, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def port_open(port: int, host: str = "127.0.0.1", timeout_s: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a text file ('' when it does not exist)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def state_lock(paths: LocalPaths, name: str) -> Iterator[None]:
    """Serialises start and stop between concurrent CLIs and test sessions."""
    paths.state.mkdir(parents=True, exist_ok=True)
    with (paths.state / f"{name}.lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
