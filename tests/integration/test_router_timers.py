"""Timers read due work through keyed buckets on the real MongoDB server: every deadline a
conversation sets has an entry, stale entries do nothing, the sweep moves on, and deadlines
stored before the buckets are adopted."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

from datetime import timedelta

import pytest

from socialcare_router.adapters.store import Store
from socialcare_router.adapters.timers import GRACE, bucket_id, entry_field, minute_of
from socialcare_router.domain.permissions import Actor
from socialcare_router.escalation import Escalator
from tests.integration.router_helpers import (  # noqa: F401
    T0,
    Clock,
    add_agent,
    changes,
    classified,
    escalate,
    inbox,
    reply_sent,
    route,
    router,
    store,
)
from tests.integration.test_router_migration import old_document

pytestmark = pytest.mark.integration


async def entries(store: Store, kind: str) -> dict[str, list[str]]:
    """conversation -> the buckets holding an entry of ``kind`` for it."""
    found: dict[str, list[str]] = {}
    async for bucket in store.repository.timers.buckets.find({}):
        if bucket["_id"].startswith(kind + "|"):
            for name in bucket.get("due", {}):
                found.setdefault(name, []).append(bucket["_id"])
    return found


async def test_each_deadline_a_conversation_sets_is_entered_in_its_minute(store: Store) -> None:
    clock = Clock(T0)
    conv = await route(router(store, clock), classified("m1"), "e1")
    doc = await store.get_conversation(conv.conversation_id)
    for kind in ("escalate_at", "resolution_escalate_at"):
        bucket = await store.repository.timers.buckets.find_one(
            {"_id": bucket_id(kind, minute_of(doc[kind]))})
        assert bucket is not None, kind
        stored = bucket["due"][entry_field(conv.conversation_id).removeprefix("due.")]
        assert stored == doc[kind], kind
    assert await entries(store, "snoozed_until") == {}


async def test_due_entries_escalate_once_and_the_sweep_leaves_no_bucket_behind(
        store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    cids = [(await route(r, classified(f"m{i}", author=f"u{i}"), f"e{i}")).conversation_id
            for i in range(3)]
    await reply_sent(r, store, cids[0], T0 + timedelta(minutes=5))  # answered in time
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    clock.at = T0 + timedelta(minutes=46)  # past 75 % of the first-response hour
    assert sorted(changes(await escalate(escalator))) == ["at_risk", "at_risk"]
    assert await escalate(escalator) == []
    clock.at = T0 + timedelta(hours=1, minutes=1)
    assert changes(await escalate(escalator)) == ["breached", "breached"]
    # Every first-response entry was acted on: past the grace, the sweep drops the buckets.
    clock.at += GRACE + timedelta(minutes=2)
    assert await escalate(escalator) == []
    assert await entries(store, "escalate_at") == {}
    sweep = await store.repository.timers.sweeps.find_one({"_id": "escalate_at"})
    assert sweep["at"] > T0 + timedelta(hours=1)
    swept = bucket_id("escalate_at", minute_of(sweep["at"]))
    assert [b["_id"] async for b in store.repository.timers.buckets.find({})
            if b["_id"].startswith("escalate_at|") and b["_id"] < swept] == []


async def test_a_deadline_that_moved_later_does_not_fire_at_its_old_time(store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    cid = (await route(r, classified("m1"), "e1")).conversation_id
    work = inbox(store, clock)
    clock.at = T0 + timedelta(minutes=10)
    await work.snooze(Actor("sup", "supervisor"), cid, T0 + timedelta(hours=3))
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    clock.at = T0 + timedelta(minutes=50)  # the old at-risk time: the clock is paused
    assert await escalate(escalator) == []
    clock.at = T0 + timedelta(hours=3, minutes=1)
    assert changes(await escalate(escalator)) == ["woken"]
    # Woken with 10 minutes used of the hour: at risk 35 minutes later, not before.
    clock.at += timedelta(minutes=30)
    assert await escalate(escalator) == []
    clock.at += timedelta(minutes=6)
    assert changes(await escalate(escalator)) == ["at_risk"]


async def test_an_entry_written_late_into_a_past_minute_is_still_found(store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    cid = (await route(r, classified("m1"), "e1")).conversation_id
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    clock.at = T0 + timedelta(minutes=20)
    assert await escalate(escalator) == []
    # A writer whose clock ran a minute behind entered a deadline in a minute already over.
    late = clock.at - timedelta(minutes=1)
    await store.repository.timers.buckets.update_one(
        {"_id": bucket_id("escalate_at", minute_of(late))},
        {"$set": {entry_field(cid): late}}, upsert=True)
    await store.conversations.update_one({"_id": cid}, {"$set": {"escalate_at": late}})
    assert changes(await escalate(escalator)) == ["at_risk"]


async def test_deadlines_stored_before_the_buckets_are_adopted_by_the_first_timer(
        store: Store) -> None:
    await store.conversations.insert_many([
        old_document("c-open"), old_document("c-resolved", status="resolved", resolved_at=T0),
        {**old_document("c-new-shape"), "version": 3, "state": "new",
         "due_at": T0 + timedelta(hours=1)}])
    await add_agent(store, "a1")
    clock = Clock(T0 + timedelta(minutes=46))
    escalator = Escalator(store, router(store, clock).config, "escalations", 20, clock)
    events = await escalate(escalator)
    assert sorted((e[1], e[2].change) for e in events) == [
        ("c-new-shape", "at_risk"), ("c-open", "at_risk")]
    # Adopted once per store: a later timer does not scan again (nothing left to adopt).
    await store.conversations.insert_one(old_document("c-later"))
    clock.at += timedelta(minutes=1)
    assert await escalate(Escalator(store, router(store, clock).config, "escalations", 20,
                                    clock)) == []
