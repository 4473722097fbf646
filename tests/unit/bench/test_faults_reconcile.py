"""Reconciliation verdicts: a clean run passes, each kind of damage fails its own check."""

from collections import Counter
from dataclasses import replace

import pytest

from bench.faults.reconcile import DeadLetter, Observed, StoredReply, reconcile

pytestmark = pytest.mark.unit
POISON = b"\xff{fault-poison:x"


def clean() -> Observed:
    keys = {"x:b:1", "x:b:2", "x:b:3"}
    return Observed(
        accepted=set(keys), received_keys=Counter({"x:b:1": 2, "x:b:2": 1, "x:b:3": 1}),
        stored={"x:b:1": "c1", "x:b:2": "c1", "x:b:3": "c2"},
        conversations={"c1": ("x:b:u1", ["x:b:1", "x:b:2"]), "c2": ("x:b:u2", ["x:b:3"])},
        requested={"r1", "r2"},
        replies={"r1": StoredReply("sent", None, None),
                 "r2": StoredReply("failed", "unavailable", "platform kept failing")},
        gateway={"r1": 2}, outcome_events={"r1": {"sent"}, "r2": {"failed"}},
        dead_letters=[DeadLetter("classify", "invalid", POISON),
                      DeadLetter("classify", "invalid", POISON)],
        poison=[POISON])


def failed(seen: Observed) -> set[str]:
    return {c.name for c in reconcile(seen).failures}


def test_a_clean_run_reconciles_with_redeliveries_and_retries_absorbed() -> None:
    verdict = reconcile(clean())
    assert verdict.ok, verdict.failures
    counts = {c.name: c.count for c in verdict.checks}
    assert counts["gateway calls deduplicated by idempotency key (retries absorbed)"] == 1


def test_a_lost_message_fails() -> None:
    seen = clean()
    del seen.stored["x:b:3"]
    seen.conversations["c2"] = ("x:b:u2", [])
    assert failed(seen) == {"accepted but not stored (lost)"}


def test_a_duplicated_conversation_fails() -> None:
    seen = clean()
    seen.stored["x:b:2"] = "c3"
    seen.conversations["c1"] = ("x:b:u1", ["x:b:1"])
    seen.conversations["c3"] = ("x:b:u1", ["x:b:2"])
    assert failed(seen) == {"customers with a duplicated conversation"}


def test_a_message_in_two_conversations_fails() -> None:
    seen = clean()
    seen.conversations["c2"] = ("x:b:u2", ["x:b:3", "x:b:2"])
    assert failed(seen) == {"messages in more than one conversation"}


def test_a_double_send_and_a_sent_reply_missing_at_the_gateway_fail() -> None:
    seen = replace(clean(), gateway={"r3": 1})
    assert failed(seen) == {"sent replies without exactly one gateway record",
                            "gateway records no requested reply explains (double sends)"}


def test_a_failure_without_a_reason_or_an_unsettled_reply_fails() -> None:
    seen = clean()
    seen.replies["r2"] = StoredReply("failed", "unavailable", None)
    assert failed(seen) == {"failed replies without a code and reason"}
    seen.replies["r2"] = StoredReply("requested", None, None)
    assert failed(seen) == {"requested replies neither sent nor failed"}


def test_dead_letters_must_be_exactly_the_planted_poison() -> None:
    seen = replace(clean(), dead_letters=[DeadLetter("route", "KeyError: 'x'", b"{}")])
    assert failed(seen) == {"dead letters that were not planted poison",
                            "planted poison records dead-lettered"}
