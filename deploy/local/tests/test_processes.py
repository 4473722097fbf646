"""Detached processes: pid files, the command-line guard against reused pids, stopping."""

import sys
from pathlib import Path

import pytest

from socialcare_local.paths import LocalPaths
from socialcare_local.processes import ProcessSpec, running_pid, start_detached, stop

pytestmark = pytest.mark.unit

SLEEPER = [sys.executable, "-c", "import time; print('sleeping', flush=True); time.sleep(60)"]


def test_a_detached_process_is_tracked_then_stopped(tmp_path: Path) -> None:
    paths = LocalPaths(cache=tmp_path / "cache", state=tmp_path / "state")
    pid = start_detached(paths, ProcessSpec("sleeper", SLEEPER, "time.sleep(60)"))

    assert running_pid(paths, "sleeper", "time.sleep(60)") == pid
    assert running_pid(paths, "sleeper", "another command") is None
    assert stop(paths, "sleeper", "time.sleep(60)", timeout_s=5) is True
    assert running_pid(paths, "sleeper", "time.sleep(60)") is None
    assert not paths.pid_file("sleeper").exists()
    assert stop(paths, "sleeper", "time.sleep(60)") is False
