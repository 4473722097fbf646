"""The lines ``socialcare up`` prints last: every command in them runs as printed."""

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from socialcare_local.cli import closing_hints, parser
from socialcare_local.paths import REPO_ROOT

pytestmark = pytest.mark.unit


def _commands(hints: str) -> list[str]:
    return re.findall(r"\bmake\b[^()\n]*", hints)


# As a person's shell runs them: not inside this test run's own make (whose MAKEFLAGS
# would pass `make test ARGS=...` on to the command under test).
USER_SHELL = {k: v for k, v in os.environ.items()
              if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ARGS")}


@pytest.mark.parametrize("cwd", [REPO_ROOT, Path("/")], ids=["checkout", "elsewhere"])
def test_every_printed_command_runs_from_where_it_was_printed(cwd: Path) -> None:
    hints = closing_hints("http://127.0.0.1:8082", REPO_ROOT / ".local" / "logs", cwd)
    commands = _commands(hints)
    assert {c.split()[-1] for c in commands} >= {"status", "down", "NAME=router-worker"}
    for command in commands:
        # -n prints what the target would run: proves the target exists from this folder.
        dry = subprocess.run([*shlex.split(command), "-n"], cwd=cwd, capture_output=True,
                             text=True, timeout=60, env=USER_SHELL)
        assert dry.returncode == 0, (command, dry.stderr)
        line = next(line for line in dry.stdout.splitlines() if " socialcare " in line)
        argv = shlex.split(line.split(" socialcare ", 1)[1])
        assert parser().parse_args(argv).handler  # the CLI accepts what make passes it


def test_no_hint_names_a_command_that_is_not_on_path() -> None:
    hints = closing_hints("http://127.0.0.1:8082", Path("/tmp/logs"), REPO_ROOT)
    assert not re.search(r"(^|[\s(])socialcare\s", hints)
