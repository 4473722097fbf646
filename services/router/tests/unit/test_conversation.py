"""The Conversation aggregate without I/O: transitions, deadlines, facts, load invariant."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare_router.domain.conversation import (
    Conversation,
    ConversationError,
    MessageFacts,
    State,
)
from socialcare_router.domain.sla import BusinessHours, SlaPolicy

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 24, 10, tzinfo=UTC)  # a Tuesday, in business hours
SLA = SlaPolicy(BusinessHours())
SHARE = 0.75


def facts(n: int, at: datetime, *, sentiment: str = "neutral", intents: tuple = (),
          private: bool = False, language: str = "en", priority: int = 10,
          channel: str = "mention") -> MessageFacts:
    return MessageFacts(key=f"x:brand:m{n}", platform_message_id=f"m{n}", created_at=at,
                        received_at=at, channel=channel, language=language, sentiment=sentiment,
                        intents=intents, private_data=private, priority=priority)


def new(at: datetime = T0, platform: str = "x", **kw: object) -> Conversation:
    return Conversation.start("c1", platform=platform, brand_account="brand",
                              customer_id="u1", customer={}, queue="general", rule_id=None,
                              tags=[], message=facts(0, at, **kw), sla=SLA, share=SHARE,
                              now=at, trace={})


def test_facts_come_from_every_message_not_only_the_first() -> None:
    c = new(sentiment="positive", intents=("praise",))
    c.add_customer_message(facts(1, T0 + timedelta(minutes=1), sentiment="negative",
                                 intents=("payment",), private=True, language="de",
                                 priority=40), SLA, SHARE, T0, {})
    c.add_customer_message(facts(2, T0 + timedelta(minutes=2), sentiment="neutral"),
                           SLA, SHARE, T0, {})
    assert c.private_data is True
    assert c.intents == ["praise", "payment"]
    assert (c.language, c.sentiment, c.worst_sentiment) == ("en", "neutral", "negative")
    assert c.priority == 40
    assert len(c.message_keys) == 3


def test_a_redelivered_message_changes_nothing() -> None:
    c = new()
    assert c.add_customer_message(facts(0, T0), SLA, SHARE, T0, {}) is False
    assert c.changes == ["created"]


def test_a_message_after_our_answer_starts_a_next_response_deadline_that_escalates() -> None:
    c = new()
    c.record_response("r1", T0 + timedelta(minutes=20), T0 + timedelta(minutes=20))
    assert c.state is State.ANSWERED and c.escalate_at is None
    later = T0 + timedelta(hours=2)
    c.add_customer_message(facts(1, later), SLA, SHARE, later, {})
    assert c.state is State.NEW
    assert c.next_response_due_at == later + timedelta(hours=1)
    assert c.due_at == c.next_response_due_at
    assert c.escalate_at == later + timedelta(minutes=45)
    assert c.escalate("escalate_at", later + timedelta(minutes=45), 20, "escalations") == \
        "at_risk"
    assert c.escalate("escalate_at", later + timedelta(hours=1), 20, "escalations") == \
        "breached"
    assert c.queue == "escalations" and c.previous_queue == "general"


def test_a_reopened_conversation_restarts_its_resolution_clock() -> None:
    c = new()
    c.record_response("r1", T0 + timedelta(minutes=5), T0)
    c.resolve(T0 + timedelta(hours=1))
    later = T0 + timedelta(days=3)
    c.add_customer_message(facts(1, later), SLA, SHARE, later, {})
    assert c.state is State.REOPENED and c.status == "open"
    assert c.resolution_due_at == later + SLA.resolution_target
    assert c.resolution_escalation == "none" and c.resolution_escalate_at is not None
    assert c.next_response_due_at == later + timedelta(hours=1)
    assert "reopened" in c.changes


def test_snooze_pauses_every_running_clock_and_a_message_wakes_it() -> None:
    c = new()
    due, resolution = c.first_response_due_at, c.resolution_due_at
    c.snooze(T0 + timedelta(hours=5), T0 + timedelta(minutes=10))
    assert c.status == "waiting_on_customer"
    woke = T0 + timedelta(minutes=40)
    c.add_customer_message(facts(1, woke), SLA, SHARE, woke, {})
    assert c.state is State.NEW and c.paused_at is None and c.snoozed_until is None
    assert c.first_response_due_at == due + timedelta(minutes=30)
    assert c.resolution_due_at == resolution + timedelta(minutes=30)


def test_meta_direct_messages_have_a_reply_window_x_has_none() -> None:
    assert new(platform="x", channel="direct_message").reply_window_closes_at is None
    c = new(platform="facebook", channel="direct_message")
    assert c.reply_window_closes_at == T0 + timedelta(hours=24)


def test_claims_transfers_and_resolve_move_the_load_of_the_right_agents() -> None:
    c = new()
    c.claim("a1", T0)
    with pytest.raises(ConversationError):
        c.claim("a2", T0)
    c.transfer(None, "a2", T0)
    c.resolve(T0)
    assert [(a.agent_id, a.delta) for a in c.assignment_changes] == \
        [("a1", 1), ("a1", -1), ("a2", 1), ("a2", -1)]
    assert c.assignee is None and c.last_assignee == "a2"
    with pytest.raises(ConversationError):
        c.claim("a1", T0)


def test_an_imported_reply_earlier_than_a_later_message_keeps_the_response_due() -> None:
    c = new()
    c.add_customer_message(facts(1, T0 + timedelta(minutes=30)), SLA, SHARE, T0, {})
    # The brand answered the first message before the customer wrote again.
    c.record_response("r1", T0 + timedelta(minutes=10), T0)
    assert c.first_response_at == T0 + timedelta(minutes=10)
    assert c.state is State.NEW  # the later message still waits for an answer
    assert c.record_response("r1", T0 + timedelta(minutes=10), T0) is False


COMMANDS = st.lists(st.tuples(
    st.sampled_from(["message", "reply", "claim", "release", "transfer", "snooze", "wake",
                     "resolve", "reopen"]),
    st.sampled_from(["a1", "a2", "a3"]), st.integers(1, 600)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(COMMANDS, st.integers(1, 3))
def test_load_never_leaves_zero_to_capacity_and_open_work_has_its_deadlines(
        commands: list, capacity: int) -> None:
    """Random commands on several conversations, with the repository's load rule applied."""
    loads = {"a1": 0, "a2": 0, "a3": 0}
    conversations = [new(), new()]
    at = T0
    for i, (command, agent, minutes) in enumerate(commands):
        at += timedelta(minutes=minutes)
        c = conversations[i % 2]
        saved = c.to_document()
        before = len(c.assignment_changes)
        try:
            if command == "message":
                c.add_customer_message(facts(i + 1, at), SLA, SHARE, at, {})
            elif command == "reply":
                c.record_response(f"r{i}", at, at)
            elif command == "claim":
                c.claim(agent, at)
            elif command == "release":
                c.release(at)
            elif command == "transfer":
                c.transfer("other", agent, at)
            elif command == "snooze":
                c.snooze(at + timedelta(hours=1), at)
            elif command == "wake":
                c.wake(at)
            elif command == "resolve":
                c.resolve(at)
            else:
                c.reopen(at, SLA, SHARE)
        except ConversationError:
            continue
        # What ConversationRepository.save does: gains need free capacity, else no write.
        changes = c.assignment_changes[before:]
        trial = dict(loads)
        for change in changes:
            trial[change.agent_id] += change.delta
        if any(v > capacity for v in trial.values()):
            conversations[i % 2] = Conversation.model_validate(saved)  # refused: reload
            continue
        loads = trial
        assert all(0 <= v <= capacity for v in loads.values())
        if c.is_open and c.state is not State.WAITING_ON_CUSTOMER:
            assert c.due_at is not None and c.resolution_due_at is not None
            if c.awaiting_response:
                assert c.due_at == c.response_deadline
        assert c.status in ("open", "waiting_on_customer", "resolved")


def test_next_responses_are_counted_against_their_own_deadline() -> None:
    c = new()
    c.record_response("r1", T0 + timedelta(minutes=5), T0)
    for n, (wrote_h, answered_min) in enumerate(((2, 30), (5, 90)), start=1):
        at = T0 + timedelta(hours=wrote_h)
        c.add_customer_message(facts(n, at), SLA, SHARE, at, {})
        c.record_response(f"r{n + 1}", at + timedelta(minutes=answered_min), at)
    assert (c.next_responses_met, c.next_responses_breached) == (1, 1)
    assert c.first_response_at == T0 + timedelta(minutes=5)
