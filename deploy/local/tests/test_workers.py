"""Several instances of each stream worker: naming, readiness, start, status and stop."""

from pathlib import Path

import pytest

from socialcare_local.infra import Endpoints
from socialcare_local.paths import LocalPaths
from socialcare_local.services import (
    SERVICES,
    GroupStable,
    Service,
    instances,
    known_instances,
    services_status,
    start_services,
    stop_services,
    worker_count,
)

pytestmark = pytest.mark.unit


class AlwaysReady:
    def ready(self, endpoints: Endpoints) -> bool:
        return True

    def describe(self) -> str:
        return "always"


# A stand-in stream worker: a real detached process that stays up until stopped.
SLEEPER = Service("sleeper", "http.server", ("--bind", "127.0.0.1", "0"), AlwaysReady(),
                  scales=True)
FIXED = Service("fixed", "http.server", ("--bind", "127.0.0.1", "0"), AlwaysReady())
ENDPOINTS = Endpoints(kafka_bootstrap="127.0.0.1:1", mongo_url="mongodb://127.0.0.1:1")


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalPaths:
    monkeypatch.setenv("SOCIALCARE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("SOCIALCARE_WORKERS", raising=False)
    return LocalPaths.from_env()


def test_one_worker_keeps_the_usual_names(state: LocalPaths) -> None:
    assert [s.name for s in instances()] == [s.name for s in SERVICES]


def test_each_stream_worker_runs_n_times_and_waits_for_n_group_members(
        state: LocalPaths) -> None:
    names = [s.name for s in instances(3)]

    assert names.count("ingest") == 1 and names.count("router-api") == 1
    assert [n for n in names if n.startswith("classifier")] == [
        "classifier", "classifier-2", "classifier-3", "classifier-deep", "classifier-api"]
    assert {"router-worker-3", "responder-3"} <= set(names)
    groups = [s.readiness for s in instances(3) if isinstance(s.readiness, GroupStable)]
    # The deep stage runs once locally (it holds a core); Kubernetes scales it on its lag.
    assert len(groups) == 10 and {g.members for g in groups if "deep" not in g.app_id} == {3}
    assert "with 3 members" in groups[0].describe()


def test_the_count_comes_from_the_environment_and_bad_counts_are_refused(
        state: LocalPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALCARE_WORKERS", "2")
    assert worker_count() == 2 and worker_count(4) == 4
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("SOCIALCARE_WORKERS", bad)
        with pytest.raises(ValueError, match="whole number >= 1"):
            worker_count()


def test_instances_are_separate_processes_with_own_pid_files_logs_and_stop(
        state: LocalPaths) -> None:
    table = (FIXED, SLEEPER)
    try:
        started = start_services(ENDPOINTS, instances(3, table))
        assert started == ["fixed", "sleeper", "sleeper-2", "sleeper-3"]
        rows = services_status(ENDPOINTS, instances(3, table))
        assert len({r.pid for r in rows}) == 4 and all(r.ready for r in rows)
        assert state.log_file("sleeper-3").exists()
        # A later narrower configuration still finds, reports and stops the wider start.
        assert [s.name for s in known_instances(table)] == [
            "fixed", "sleeper", "sleeper-2", "sleeper-3"]
    finally:
        stopped = stop_services(known_instances(table))
    assert sorted(stopped) == ["fixed", "sleeper", "sleeper-2", "sleeper-3"]
    assert not list(state.pids.glob("*.pid"))
    assert [s.name for s in known_instances(table)] == ["fixed", "sleeper"]
