"""A refinement folded into a conversation: latest message's sentiment, added intents, the
priority up (down only while the message is the whole conversation), once."""

from datetime import UTC, datetime, timedelta

import pytest

from socialcare_router.domain.conversation import Conversation, MessageFacts
from socialcare_router.domain.refinement import RefinedFacts, apply_refinement
from socialcare_router.domain.sla import SlaPolicy

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 24, 10, tzinfo=UTC)
SLA, SHARE = SlaPolicy(), 0.75


def facts(n: int, at: datetime, sentiment: str = "neutral", priority: int = 30) -> MessageFacts:
    return MessageFacts(key=f"x:brand:m{n}", platform_message_id=f"m{n}", created_at=at,
                        received_at=at, channel="mention", language="en", sentiment=sentiment,
                        intents=(), private_data=False, priority=priority)


def new(priority: int = 30) -> Conversation:
    return Conversation.start("c1", platform="x", brand_account="brand", customer_id="u1",
                              customer={}, queue="general", rule_id=None, tags=[],
                              message=facts(0, T0, priority=priority), sla=SLA, share=SHARE,
                              now=T0, trace={})


def refined(n: int, sentiment: str | None = "negative", intents: tuple[str, ...] = (),
            priority: int = 60) -> RefinedFacts:
    return RefinedFacts(key=f"x:brand:m{n}", platform_message_id=f"m{n}", sentiment=sentiment,
                        intents=intents, priority=priority)


def test_a_refinement_updates_facts_and_priority_once() -> None:
    c = new()
    assert apply_refinement(c, refined(0, intents=("outage",)), T0 + timedelta(minutes=5))
    assert (c.sentiment, c.worst_sentiment, c.intents, c.priority) == (
        "negative", "negative", ["outage"], 60)
    assert c.changes[-1] == "refined"
    assert not apply_refinement(c, refined(0, intents=("outage",)), T0 + timedelta(minutes=6))


def test_an_earlier_message_changes_the_worst_sentiment_only() -> None:
    c = new()
    c.add_customer_message(facts(1, T0 + timedelta(minutes=1), sentiment="positive", priority=40),
                           SLA, SHARE, T0 + timedelta(minutes=1), {})
    assert apply_refinement(c, refined(0, priority=20), T0 + timedelta(minutes=2))
    assert (c.sentiment, c.worst_sentiment, c.priority) == ("positive", "negative", 40)


def test_the_priority_falls_only_for_a_conversation_of_that_one_message() -> None:
    c = new(priority=50)
    assert apply_refinement(c, refined(0, sentiment="neutral", priority=35), T0)
    assert c.priority == 35
    c.add_customer_message(facts(1, T0 + timedelta(minutes=1), priority=35), SLA, SHARE, T0, {})
    assert not apply_refinement(c, refined(0, sentiment="neutral", priority=20), T0)
    assert c.priority == 35


def test_a_message_not_in_the_conversation_changes_nothing() -> None:
    assert not apply_refinement(new(), refined(9), T0)
