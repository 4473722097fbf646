"""Surge detection on the real MongoDB server: counts per minute, an incident that opens on
a burst (once, whichever process sees it first), peaks, closes after the calm, and hourly
baselines learned from the brand's own history."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
from datetime import datetime, timedelta

import pytest

from socialcare_contracts.events import MessageClassified
from socialcare_contracts.incidents import IncidentChange
from socialcare_router.adapters.incidents import IncidentStore, key_of
from socialcare_router.adapters.store import Store
from socialcare_router.adapters.volume import VolumeCounter
from socialcare_router.domain.surge import SurgePolicy
from socialcare_router.holding import holding_reply
from socialcare_router.surges import SurgeDetector
from tests.integration.router_helpers import (  # noqa: F401
    AGENT,
    SUP,
    T0,
    Clock,
    api,
    classified,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration
POLICY = SurgePolicy()


def detector(store: Store, clock: Clock) -> SurgeDetector:
    return SurgeDetector(VolumeCounter(store.db), IncidentStore(store.db), POLICY, clock)


async def burst(volume: VolumeCounter, clock: Clock, n: int, brand: str = "acme",
                intent: str = "order_status") -> None:
    for i in range(n):
        volume.count(brand, (intent,), i % 3 == 0, clock.at - timedelta(seconds=i % 120),
                     clock.at)
    await volume.flush()


async def test_a_burst_opens_one_incident_that_closes_after_the_calm(store: Store) -> None:
    clock = Clock(T0)
    first, second = detector(store, clock), detector(store, clock)
    await burst(first.volume, clock, 6, brand="quiet")  # usual traffic elsewhere
    assert await first.run_once() == []
    await burst(first.volume, clock, 60)
    # Two leaders during a rebalance: each incident opens once.
    events = [e for run in await asyncio.gather(first.run_once(), second.run_once())
              for e in run]
    opened = {(e.brand_account, e.intent) for e in events if e.change is IncidentChange.OPENED}
    assert opened == {("acme", "*"), ("acme", "order_status")}
    assert len(events) == 2
    brand_wide = next(e for e in events if e.intent == "*")
    assert brand_wide.messages == 60 and brand_wide.per_minute == 12.0
    assert brand_wide.baseline_per_minute == POLICY.default_per_minute
    assert brand_wide.negative_share == pytest.approx(20 / 60, abs=1e-4)
    # A higher peak is announced; the same rate again is not.
    clock.at += timedelta(seconds=30)
    await burst(first.volume, clock, 60)
    assert {e.change for e in await first.run_once()} == {IncidentChange.UPDATED}
    assert await first.run_once() == []
    # Calm: the window empties, then 5 quiet minutes close both.
    clock.at += timedelta(minutes=6)
    assert await first.run_once() == []
    clock.at += timedelta(minutes=5)
    closed = await first.run_once()
    assert {(e.intent, e.change) for e in closed} == {("*", IncidentChange.CLOSED),
                                                     ("order_status", IncidentChange.CLOSED)}
    assert all(e.closed_at == clock.at for e in closed)
    assert await IncidentStore(store.db).open_ones() == []


async def test_the_rate_curve_and_recent_incidents_are_read_by_key(store: Store) -> None:
    clock = Clock(T0)
    surges = detector(store, clock)
    await burst(surges.volume, clock, 40)
    await surges.run_once()
    curve = await surges.volume.curve("acme", T0 - timedelta(minutes=3), T0)
    # Written 0-39 s before 15:00:00: one in the minute of 15:00, the rest in 14:59.
    assert [point["messages"] for point in curve] == [0, 0, 39, 1]
    [latest, _] = await surges.incidents.recent(["acme"], 10)
    assert latest["status"] == "open"
    assert await surges.incidents.recent(["other"], 10) == []


async def test_each_hour_teaches_the_brand_its_usual_rate_once(store: Store) -> None:
    clock = Clock(T0.replace(minute=30))
    surges = detector(store, clock)
    await surges.run_once()  # the first run learns the hour before (nothing there)
    await burst(surges.volume, clock, 120)  # 2 per minute over the hour
    assert await surges.run_once() != []  # a burst against the default baseline
    clock.at += timedelta(hours=1)
    await asyncio.gather(surges.run_once(), detector(store, clock).run_once())
    slots = await surges.incidents.slots([key_of("acme", "*")])
    learned = slots[key_of("acme", "*")][str(T0.weekday() * 24 + T0.hour)]
    # 120 messages over the hour is 2/min, capped at twice the default for one hour: the
    # slot moves 30 % of the way from 0.5 to 1.0, once although two processes ran.
    assert learned == pytest.approx(0.5 + 0.3 * (1.0 - 0.5))


async def test_supervisors_see_incidents_with_their_rate_curve(store: Store, api) -> None:
    clock = Clock(T0)
    surges = detector(store, clock)
    await burst(surges.volume, clock, 40)
    await surges.run_once()
    listed = await api.get("/v1/incidents", headers=SUP)
    assert listed.status_code == 200, listed.text
    assert {(i["intent"], i["status"]) for i in listed.json()} == {("*", "open"),
                                                                  ("order_status", "open")}
    incident = next(i for i in listed.json() if i["intent"] == "*")
    assert datetime.fromisoformat(incident["detected_at"]) == T0  # when the router saw it
    detail = (await api.get(f"/v1/incidents/{incident['id']}", headers=SUP)).json()
    assert sum(point["messages"] for point in detail["curve"]) == 40
    assert detail["curve"][0]["minute"] == "2026-11-24T14:30"
    assert (await api.get("/v1/incidents", headers=AGENT)).status_code == 403
    assert (await api.get("/v1/incidents/nope", headers=SUP)).status_code == 404


async def test_routing_attached_to_an_incident_applies_while_it_lasts(store: Store, api) -> None:
    clock = Clock(T0)
    surges = SurgeDetector(store.volume, store.incidents, POLICY, clock,
                           store.config.bump_version)
    await burst(surges.volume, clock, 40)
    opened = {e.intent: e for e in await surges.run_once()}
    incident = opened["*"].incident_id
    url = f"/v1/incidents/{incident}/routing"
    assert (await api.put(url, headers=SUP, json={"queue": "promo"})).status_code == 422
    assert (await api.put(url, headers=AGENT, json={})).status_code == 403
    await store.config.put("queues", "promo", {"policy": "manual"})
    put = await api.put(url, headers=SUP, json={"queue": "promo", "priority_boost": 20})
    assert put.status_code == 200, put.text
    assert put.json()["routing"] == {"queue": "promo", "priority_boost": 20,
                                     "holding_reply": None}
    r = router(store, clock)
    during = await route(r, classified("m1", author="a1", priority=10), "e1")
    assert (during.queue, during.priority) == ("promo", 30)
    assert "incident" in (await store.get_conversation(during.conversation_id))["tags"]
    [entry] = [e async for e in store.audit.entries.find({"action": "incident.routing"})]
    assert entry["target"] == incident
    # The incident ends: messages follow the rules again.
    clock.at += timedelta(minutes=6)
    assert await surges.run_once() == []  # calm since now
    clock.at += timedelta(minutes=5)
    assert IncidentChange.CLOSED in {e.change for e in await surges.run_once()}
    after = await route(r, classified("m2", author="a2", priority=10), "e2")
    assert (after.queue, after.priority) == ("general", 10)
    assert (await api.put(url, headers=SUP, json={})).status_code == 409


def named(event: MessageClassified, name: str) -> MessageClassified:
    return event.model_copy(update={"message": event.message.model_copy(
        update={"author": event.message.author.model_copy(update={"display_name": name})})})


async def test_each_new_customer_of_an_incident_gets_its_holding_reply_once(
        store: Store, api) -> None:
    clock = Clock(T0)
    surges = detector(store, clock)
    await burst(surges.volume, clock, 40)
    incident = {e.intent: e for e in await surges.run_once()}["*"].incident_id
    # Routed just before the holding reply was set, its conversation is not the incident's,
    # even once the worker's configuration has the holding reply.
    early = named(classified("m0", author="a0"), "Ann")
    early_cid = (await route(router(store, clock), early, "e0")).conversation_id
    put = await api.put(f"/v1/incidents/{incident}/routing", headers=SUP, json={
        "holding_reply": "Hi {customer_name}, we know about it and are on it."})
    assert put.status_code == 200, put.text
    r = router(store, clock)
    got = await holding_reply(store, r.config, early, early_cid, clock.at)
    assert got is None, got
    event = named(classified("m1", author="a1"), "Dana")
    cid = (await route(r, event, "e1")).conversation_id
    reply = await holding_reply(store, r.config, event, cid, clock.at)
    assert reply is not None
    assert (reply.text, reply.in_reply_to_id, reply.agent_id) == \
        ("Hi Dana, we know about it and are on it.", "m1", "holding-reply")
    assert (await store.get_reply(reply.reply_id))["incident_id"] == incident
    # A redelivery before the responder reported it sent publishes it again (the responder
    # sends a reply id once); after, never.
    again = await holding_reply(store, r.config, event, cid, clock.at)
    assert again is not None and again.reply_id == reply.reply_id
    await store.set_reply_outcome(reply.reply_id, {"status": "sent"})
    assert await holding_reply(store, r.config, event, cid, clock.at) is None
    other = classified("m2", author="a2").model_copy(deep=True)
    other = other.model_copy(update={"message": other.message.model_copy(
        update={"brand_account": "someone-else"})})
    assert await holding_reply(store, r.config, other, "c-other", clock.at) is None
