"""Resolution-deadline escalation and queue depth counts on the real MongoDB server."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
from datetime import timedelta

import pytest

from socialcare_router.adapters.store import Store
from socialcare_router.escalation import Escalator
from tests.integration.router_helpers import (  # noqa: F401
    SUPERVISOR,
    T0,
    Clock,
    acked,
    classified,
    escalate,
    inbox,
    reply_sent,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration


async def test_resolution_deadline_raises_then_breaches_once(store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1", priority=10), "e1")  # resolution due T0+24h
    cid = conv.conversation_id
    await reply_sent(r, store, cid, T0 + timedelta(minutes=5))
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    clock.at = T0 + timedelta(hours=17, minutes=59)
    assert await escalate(escalator) == []
    clock.at = T0 + timedelta(hours=18, minutes=1)  # past 75% of the 24 hours
    [risk] = await escalate(escalator)
    assert (risk[2].change, risk[2].priority, risk[2].queue) == \
        ("resolution_at_risk", 30, "general")
    assert await escalate(escalator) == []
    clock.at = T0 + timedelta(hours=24, minutes=1)
    [breach] = await escalate(escalator)
    assert (breach[2].change, breach[2].queue) == ("resolution_breached", "escalations")
    assert breach[0] != risk[0]
    assert await escalate(Escalator(store, r.config, "escalations", 20, clock)) == []
    doc = await store.get_conversation(cid)
    assert (doc["resolution_escalation"], doc["previous_queue"]) == ("breached", "general")
    assert doc["escalation"] == "none"  # answered in time: first response never escalated


async def test_concurrent_escalators_apply_each_resolution_step_once(
        store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1"), "e1")
    await reply_sent(r, store, conv.conversation_id, T0 + timedelta(minutes=5))
    clock.at = T0 + timedelta(hours=19)
    runs = await asyncio.gather(*(Escalator(store, r.config, "escalations", 20, clock).run_once()
                                  for _ in range(4)))
    steps = [acked(store, run) for run in runs]
    assert [update.change for run in steps for _, _, update in run] == ["resolution_at_risk"]
    doc = await store.get_conversation(conv.conversation_id)
    assert doc["priority"] == 30  # boosted once, not four times


async def test_resolved_conversations_never_escalate_their_resolution(
        store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1"), "e1")
    await reply_sent(r, store, conv.conversation_id, T0 + timedelta(minutes=5))
    resolved = await inbox(store, Clock(T0 + timedelta(hours=1))).resolve(
        SUPERVISOR, conv.conversation_id)
    assert resolved.status == "resolved"
    clock.at = T0 + timedelta(hours=30)
    assert await escalate(Escalator(store, r.config, "escalations", 20, clock)) == []


async def test_a_second_breach_keeps_the_queue_it_came_from(store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1"), "e1")  # never answered, never resolved
    clock.at = T0 + timedelta(hours=25)
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    changes = {u.change for _, _, u in await escalate(escalator)}
    changes |= {u.change for _, _, u in await escalate(escalator)}
    assert changes == {"at_risk", "breached", "resolution_at_risk", "resolution_breached"}
    doc = await store.get_conversation(conv.conversation_id)
    assert (doc["queue"], doc["previous_queue"]) == ("escalations", "general")


async def test_queue_depths_count_unresolved_conversations_per_known_queue(
        store: Store) -> None:
    r = router(store)
    cids = [(await route(r, classified(f"m{i}", author=f"u{i}"), f"e{i}")).conversation_id
            for i in range(4)]
    work = inbox(store)
    await work.resolve(SUPERVISOR, cids[0])
    await work.snooze(SUPERVISOR, cids[1], T0 + timedelta(hours=1))  # waiting still counts
    await work.transfer(SUPERVISOR, cids[2], "escalations", None)
    assert await store.work.queue_depths(["general", "escalations", "vip", "general"]) == \
        {"general": 2, "escalations": 1, "vip": 0}
    assert await store.work.queue_depths(["general", "escalations", "vip"], limit=1) == \
        {"escalations": 1}
