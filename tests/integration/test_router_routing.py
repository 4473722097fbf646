"""Rules, assignment, brand SLAs, imported history and escalation on the real MongoDB server."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from socialcare_contracts.events import MessageClassified
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.store import Store
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.escalation import Escalator
from socialcare_router.policies import SlaPolicyDoc
from socialcare_router.routing import Router
from socialcare_router.routing_config import RoutingConfig
from socialcare_runtime.mongo import connect
from tests.integration.test_router_store import T0, classified, store  # noqa: F401

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def fresh_router(store: Store, clock: Clock | None = None) -> Router:  # noqa: F811
    # refresh 0: every message checks the version, so a change applies to the next one.
    return Router(store, SlaPolicy(), "general", timedelta(hours=24), clock=clock or Clock(T0),
                  config=RoutingConfig(store.config, refresh_s=0))


async def test_rule_changes_apply_without_restart_and_are_recorded(
        store: Store) -> None:  # noqa: F811
    r = fresh_router(store)
    before = await r.route_message(classified("m1", author="u1", priority=10), "e1")
    assert before.queue == "general"
    await store.config.replace_rules([
        {"id": "angry", "queue": "care", "tags": ["negative"], "priority_boost": 25,
         "when": {"sentiments": ["negative"], "platforms": ["x"]}}], None, T0)
    after = await r.route_message(classified("m2", author="u2", priority=10), "e2")
    doc = await store.get_conversation(after.conversation_id)
    assert (doc["queue"], doc["rule_id"], doc["tags"], doc["priority"]) == \
        ("care", "angry", ["negative"], 35)


async def test_round_robin_queue_assigns_online_skilled_agents_in_turn(
        store: Store) -> None:  # noqa: F811
    for agent_id, presence in (("a1", "online"), ("a2", "online"), ("a3", "offline")):
        await store.config.bootstrap_agent(agent_id, {"presence": presence, "capacity": 5,
                                                      "load": 0, "skills": {}})
    await store.config.put("queues", "general", {"policy": "round_robin",
                                                 "agents": ["a1", "a2", "a3"]})
    await store.config.bump_version(T0)
    r = fresh_router(store)
    assignees = [(await r.route_message(classified(f"m{i}", author=f"u{i}"), f"e{i}"))
                 .conversation_id for i in range(3)]
    docs = [await store.get_conversation(c) for c in assignees]
    assert [d["assignee"] for d in docs] == ["a1", "a2", "a1"]
    assert (await store.config.get("agents", "a1"))["load"] == 2


async def test_concurrent_assignments_keep_an_agent_within_capacity(
        store: Store) -> None:  # noqa: F811
    # A batch routes its customers concurrently, and every assignment reads the same load.
    await store.config.bootstrap_agent("a1", {"presence": "online", "capacity": 2, "load": 0,
                                              "skills": {}})
    await store.config.put("queues", "general", {"policy": "least_loaded", "agents": ["a1"]})
    await store.config.bump_version(T0)
    r = fresh_router(store)
    updates = await asyncio.gather(*(r.route_message(classified(f"c{i}", author=f"v{i}"),
                                                     f"f{i}") for i in range(8)))
    docs = [await store.get_conversation(u.conversation_id) for u in updates]
    assert sum(d["assignee"] == "a1" for d in docs) == 2
    assert (await store.config.get("agents", "a1"))["load"] == 2


async def test_brand_sla_policy_sets_the_deadline(store: Store) -> None:  # noqa: F811
    policy = SlaPolicyDoc(timezone="America/New_York", in_hours_minutes=20)
    await store.config.put("sla_policies", "acme", policy.model_dump(mode="json"))
    await store.config.bump_version(T0)
    # T0 is Tuesday 15:00 UTC = 10:00 in New York: open.
    update = await fresh_router(store).route_message(classified("m1"), "e1")
    assert update.first_response_due_at == T0 + timedelta(minutes=20)


def brand_reply(mid: str, reply_to: str, at: datetime) -> MessageClassified:
    base = classified(mid, reply_to=reply_to, at=at)
    message = NormalizedMessage(**{**base.message.model_dump(), "from_brand": True,
                                   "author": {"id": "acme"}})
    return MessageClassified(message=message, classification=base.classification)


async def test_imported_brand_replies_thread_as_outbound_first_responses(
        store: Store) -> None:  # noqa: F811
    r = fresh_router(store)
    conv = await r.route_message(classified("m1"), "e1")
    for _ in range(2):  # redelivery changes nothing
        imported = await r.route_message(brand_reply("b1", "m1", T0 + timedelta(minutes=7)), "e2")
    assert imported is not None and imported.change == "reply_imported"
    assert imported.first_response_at == T0 + timedelta(minutes=7)
    assert imported.message_count == 1  # not a customer message
    assert await store.conversations.count_documents({}) == 1
    outbound = await store.messages.find_one({"_id": "x:acme:b1"})
    assert outbound["direction"] == "outbound" and outbound["conversation_id"] == \
        conv.conversation_id
    # A brand post answering nobody known opens nothing.
    assert await r.route_message(brand_reply("b2", "unknown", T0), "e3") is None
    assert await store.conversations.count_documents({}) == 1


async def test_escalation_raises_then_moves_to_escalations_once(
        store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1", priority=10), "e1")  # due T0 + 1h
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    assert await escalator.run_once() == []
    clock.at = T0 + timedelta(minutes=46)  # past 75% of the hour
    [risk] = await escalator.run_once()
    assert (risk.update.change, risk.update.priority) == ("at_risk", 30)
    assert await escalator.run_once() == []
    clock.at = T0 + timedelta(minutes=61)
    [breach] = await escalator.run_once()
    assert (breach.update.change, breach.update.queue) == ("breached", "escalations")
    assert await Escalator(store, r.config, "escalations", 20, clock).run_once() == []
    doc = await store.get_conversation(conv.conversation_id)
    assert doc["previous_queue"] == "general" and doc["escalation"] == "breached"


async def test_a_first_response_stops_escalation(store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1"), "e1")
    await store.record_first_response(conv.conversation_id, T0 + timedelta(minutes=5), T0)
    clock.at = T0 + timedelta(hours=5)
    assert await Escalator(store, r.config, "escalations", 20, clock).run_once() == []


async def test_waiting_on_the_customer_pauses_the_clock(store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1"), "e1")
    cid = conv.conversation_id
    await store.work.snooze(cid, T0 + timedelta(hours=3), T0 + timedelta(minutes=10), True)
    clock.at = T0 + timedelta(hours=2)  # deadline passed on the wall clock, but paused
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    assert await escalator.run_once() == []
    # The customer writes back after 2 hours: the deadline moves by the 110 paused minutes.
    await r.route_message(classified("m2", reply_to="m1", at=clock.at), "e2")
    doc = await store.get_conversation(cid)
    assert doc["status"] == "open" and doc["paused_at"] is None
    assert doc["first_response_due_at"].replace(tzinfo=UTC) == \
        T0 + timedelta(hours=1, minutes=110)


async def test_snoozed_conversations_wake_up_when_their_time_comes(
        store: Store) -> None:  # noqa: F811
    clock = Clock(T0)
    r = fresh_router(store, clock)
    conv = await r.route_message(classified("m1"), "e1")
    await store.work.snooze(conv.conversation_id, T0 + timedelta(minutes=30), T0, False)
    clock.at = T0 + timedelta(minutes=31)
    [woken] = await Escalator(store, r.config, "escalations", 20, clock).run_once()
    assert (woken.update.change, woken.update.status) == ("woken", "open")
    assert woken.update.first_response_due_at == T0 + timedelta(hours=1)


async def test_claims_from_many_clients_have_one_winner_per_conversation(
        store: Store, mongo_url: str) -> None:  # noqa: F811
    r = fresh_router(store)
    cids = [(await r.route_message(classified(f"m{i}", author=f"u{i}"), f"e{i}")).conversation_id
            for i in range(5)]
    clients = [connect(mongo_url, f"claimer-{i}") for i in range(12)]
    stores = [Store(c, store.db.name) for c in clients]
    try:
        async def claim_all(i: int) -> list[str]:
            return [cid for cid in cids
                    if await stores[i].work.claim(cid, f"agent{i}", T0) is not None]
        won = await asyncio.gather(*(claim_all(i) for i in range(len(stores))))
    finally:
        for c in clients:
            await c.close()
    assert sorted(cid for wins in won for cid in wins) == sorted(cids)
    for i, wins in enumerate(won):
        for cid in wins:
            assert (await store.get_conversation(cid))["assignee"] == f"agent{i}"
