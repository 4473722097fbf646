"""The short fault-injection run: every fault once while messages flow and an agent replies.

It runs its own Kafka broker and MongoDB server (it restarts them), then reconciles from
the topics, the database and the sandbox gateway's records. The long version is
``python -m bench.faults --messages 100000 ...`` (README, "Fault injection").
"""

import pytest
from rich.console import Console

from bench.faults.report import print_report
from bench.faults.schedule import fault_kinds
from bench.faults.suite import SuiteConfig, run_suite
from tests.e2e.stack import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
MESSAGES = 3000


# Killed three times over: the classifier is the stage that lost records around rebalances
# while it kept a faust table (README "Fault injection").
CLASSIFIER_KILL = "kill:classifier"


def test_every_fault_once_loses_duplicates_and_double_sends_nothing() -> None:
    kinds = fault_kinds()
    result = run_suite(SuiteConfig(messages=MESSAGES, rate_per_s=50.0, kinds=kinds,
                                   state_root=ARTIFACTS))
    report = ARTIFACTS / f"faults-{result.run_id}" / "report.txt"
    with report.open("w") as out:
        print_report(result, Console(file=out, width=120))
    assert sorted(f.kind for f in result.faults) == sorted(kinds), report
    assert len(result.traffic.accepted) == MESSAGES and not result.traffic.rejected, report
    assert not result.agent.abandoned, result.agent.abandoned
    assert not result.unplanned_exits, f"exited on their own: {result.unplanned_exits}"
    assert not result.gave_up, f"settling gave up on: {result.gave_up}"
    failures = {c.name: c.examples for c in result.reconciliation.failures}
    assert not failures, f"{failures} (see {report})"
    counts = {c.name: c.count for c in result.reconciliation.checks}
    # The run must have exercised both endings of a reply, or it proved nothing about them.
    assert counts["replies sent"] > 0 and counts["replies failed"] > 0, report


def test_classifier_kills_lose_nothing() -> None:
    result = run_suite(SuiteConfig(messages=1600, rate_per_s=40.0, repeats=3,
                                   kinds=(CLASSIFIER_KILL,), state_root=ARTIFACTS))
    failures = {c.name: c.examples for c in result.reconciliation.failures}
    assert not failures, failures
