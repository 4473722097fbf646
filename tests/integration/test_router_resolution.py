"""Resolution-deadline escalation and queue depth counts on the real MongoDB server."""

import asyncio
from datetime import timedelta

import pytest

from socialcare_router.adapters.store import Store
from socialcare_router.escalation import Escalator
from tests.integration.test_router_routing import Clock, fresh_router
from tests.integration.test_router_store import T0, classified, store  # noqa: F401

pytestmark = pytest.mark.integration


async def test_resolution_deadline_raises_then_breaches_once(store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1", priority=10), "e1")  # resolution due T0+24h
    cid = conv.conversation_id
    await store.record_first_response(cid, T0 + timedelta(minutes=5), T0)
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    clock.at = T0 + timedelta(hours=17, minutes=59)
    assert await escalator.run_once() == []
    clock.at = T0 + timedelta(hours=18, minutes=1)  # past 75% of the 24 hours
    [risk] = await escalator.run_once()
    assert (risk.update.change, risk.update.priority, risk.update.queue) == \
        ("resolution_at_risk", 30, "general")
    assert await escalator.run_once() == []
    clock.at = T0 + timedelta(hours=24, minutes=1)
    [breach] = await escalator.run_once()
    assert (breach.update.change, breach.update.queue) == ("resolution_breached", "escalations")
    assert breach.event_id != risk.event_id
    assert await Escalator(store, r.config, "escalations", 20, clock).run_once() == []
    doc = await store.get_conversation(cid)
    assert (doc["resolution_escalation"], doc["previous_queue"]) == ("breached", "general")
    assert doc["escalation"] == "none"  # answered in time: first response never escalated


async def test_concurrent_escalators_apply_each_resolution_step_once(
        store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1"), "e1")
    await store.record_first_response(conv.conversation_id, T0 + timedelta(minutes=5), T0)
    clock.at = T0 + timedelta(hours=19)
    runs = await asyncio.gather(*(Escalator(store, r.config, "escalations", 20, clock).run_once()
                                  for _ in range(4)))
    steps = [step for run in runs for step in run]
    assert [s.update.change for s in steps] == ["resolution_at_risk"]
    doc = await store.get_conversation(conv.conversation_id)
    assert doc["priority"] == 30  # boosted once, not four times


async def test_resolved_conversations_never_escalate_their_resolution(
        store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1"), "e1")
    await store.record_first_response(conv.conversation_id, T0 + timedelta(minutes=5), T0)
    assert await store.work.resolve(conv.conversation_id, T0 + timedelta(hours=1)) is not None
    clock.at = T0 + timedelta(hours=30)
    assert await Escalator(store, r.config, "escalations", 20, clock).run_once() == []


async def test_a_second_breach_keeps_the_queue_it_came_from(store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1"), "e1")  # never answered, never resolved
    clock.at = T0 + timedelta(hours=25)
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    changes = {s.update.change for s in await escalator.run_once()}
    changes |= {s.update.change for s in await escalator.run_once()}
    assert changes == {"at_risk", "breached", "resolution_at_risk", "resolution_breached"}
    doc = await store.get_conversation(conv.conversation_id)
    assert (doc["queue"], doc["previous_queue"]) == ("escalations", "general")


async def test_queue_depths_count_unresolved_conversations_per_known_queue(
        store: Store) -> None:  # noqa: F811
    r = fresh_router(store)
    cids = [(await r.route_message(classified(f"m{i}", author=f"u{i}"), f"e{i}")).conversation_id
            for i in range(4)]
    await store.work.resolve(cids[0], T0)
    await store.work.snooze(cids[1], T0 + timedelta(hours=1), T0, True)  # waiting still counts
    await store.work.transfer(cids[2], None, "escalations", None, T0)
    assert await store.work.queue_depths(["general", "escalations", "vip", "general"]) == \
        {"general": 2, "escalations": 1, "vip": 0}
    assert await store.work.queue_depths(["general", "escalations", "vip"], limit=1) == \
        {"escalations": 1}
