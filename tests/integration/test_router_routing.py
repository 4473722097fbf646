"""Rules, assignment, brand SLAs, imported history and escalation on the real MongoDB server."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
from datetime import timedelta

import pytest

from socialcare_router.adapters.conversations import AtCapacity, VersionConflict
from socialcare_router.adapters.store import Store
from socialcare_router.domain.conversation import ConversationError
from socialcare_router.domain.permissions import Actor
from socialcare_router.escalation import Escalator
from socialcare_router.policies import SlaPolicyDoc
from socialcare_runtime.mongo import connect
from tests.integration.router_helpers import (  # noqa: F401
    SUPERVISOR,
    T0,
    Clock,
    add_agent,
    brand_reply,
    changes,
    classified,
    escalate,
    inbox,
    last,
    reply_sent,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration


async def test_rule_changes_apply_without_restart_and_are_recorded(
        store: Store) -> None:
    r = router(store)
    before = await route(r, classified("m1", author="u1", priority=10), "e1")
    assert before.queue == "general"
    await store.config.replace_rules([
        {"id": "angry", "queue": "care", "tags": ["negative"], "priority_boost": 25,
         "when": {"sentiments": ["negative"], "platforms": ["x"]}}], None, T0)
    after = await route(r, classified("m2", author="u2", priority=10), "e2")
    doc = await store.get_conversation(after.conversation_id)
    assert (doc["queue"], doc["rule_id"], doc["tags"], doc["priority"]) == \
        ("care", "angry", ["negative"], 35)


async def test_round_robin_queue_assigns_online_skilled_agents_in_turn(
        store: Store) -> None:
    for agent_id, presence in (("a1", "online"), ("a2", "online"), ("a3", "offline")):
        await store.config.bootstrap_agent(agent_id, {"presence": presence, "capacity": 5,
                                                      "load": 0, "skills": {}})
    await store.config.put("queues", "general", {"policy": "round_robin",
                                                 "agents": ["a1", "a2", "a3"]})
    await store.config.bump_version(T0)
    r = router(store)
    routed = [await r.route_message(classified(f"m{i}", author=f"u{i}"), f"e{i}")
              for i in range(3)]
    assert [changes(events) for events in routed] == [["created", "claimed"]] * 3
    docs = [await store.get_conversation(last(events).conversation_id) for events in routed]
    assert [d["assignee"] for d in docs] == ["a1", "a2", "a1"]
    assert [d["state"] for d in docs] == ["assigned"] * 3
    assert (await store.config.get("agents", "a1"))["load"] == 2
    assert (await store.config.get("agents", "a2"))["load"] == 1


async def test_concurrent_assignments_keep_an_agent_within_capacity(
        store: Store) -> None:
    # A batch routes its customers concurrently, and every assignment reads the same load.
    await add_agent(store, "a1", capacity=2)
    await store.config.put("queues", "general", {"policy": "least_loaded", "agents": ["a1"]})
    await store.config.bump_version(T0)
    r = router(store)
    updates = await asyncio.gather(*(route(r, classified(f"c{i}", author=f"v{i}"), f"f{i}")
                                     for i in range(8)))
    docs = [await store.get_conversation(u.conversation_id) for u in updates]
    assert len(docs) == 8 and all(d is not None for d in docs)
    assert sum(d["assignee"] == "a1" for d in docs) == 2
    assert (await store.config.get("agents", "a1"))["load"] == 2


async def test_brand_sla_policy_sets_the_deadline(store: Store) -> None:
    policy = SlaPolicyDoc(timezone="America/New_York", in_hours_minutes=20)
    await store.config.put("sla_policies", "acme", policy.model_dump(mode="json"))
    await store.config.bump_version(T0)
    # T0 is Tuesday 15:00 UTC = 10:00 in New York: open.
    update = await route(router(store), classified("m1"), "e1")
    assert update.first_response_due_at == T0 + timedelta(minutes=20)


async def test_imported_brand_replies_thread_as_outbound_first_responses(
        store: Store) -> None:
    r = router(store)
    conv = await route(r, classified("m1"), "e1")
    imported = await r.route_message(brand_reply("b1", "m1", T0 + timedelta(minutes=7)), "e2")
    # Changed with the Conversation aggregate: an imported reply is recorded like one the
    # responder sent ("reply_sent"); it used to be announced as "reply_imported".
    assert changes(imported) == ["reply_sent"]
    again = await r.route_message(brand_reply("b1", "m1", T0 + timedelta(minutes=7)), "e2")
    assert again[-1] == imported[-1]  # a redelivery changes nothing, the event repeats
    update = last(again)
    assert update.first_response_at == T0 + timedelta(minutes=7)
    assert update.message_count == 1  # not a customer message
    assert await store.conversations.count_documents({}) == 1
    outbound = await store.messages.find_one({"_id": "x:acme:b1"})
    assert outbound["direction"] == "outbound" and outbound["conversation_id"] == \
        conv.conversation_id
    # A brand post answering a message not seen (yet) opens nothing; it waits for it.
    assert await r.route_message(brand_reply("b2", "unknown", T0), "e3") == []
    assert await store.conversations.count_documents({}) == 1
    assert await store.messages.count_documents({}) == 2
    assert [d["_id"] for d in await store.awaiting.find().to_list()] == ["x:acme:unknown"]


async def test_escalation_raises_then_moves_to_escalations_once(
        store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1", priority=10), "e1")  # due T0 + 1h
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    assert await escalate(escalator) == []
    clock.at = T0 + timedelta(minutes=46)  # past 75% of the hour
    [risk] = await escalate(escalator)
    assert (risk[2].change, risk[2].priority) == ("at_risk", 30)
    assert await escalate(escalator) == []
    clock.at = T0 + timedelta(minutes=61)
    [breach] = await escalate(escalator)
    assert (breach[2].change, breach[2].queue) == ("breached", "escalations")
    assert breach[0] != risk[0]
    assert await escalate(Escalator(store, r.config, "escalations", 20, clock)) == []
    doc = await store.get_conversation(conv.conversation_id)
    assert doc["previous_queue"] == "general" and doc["escalation"] == "breached"


async def test_a_first_response_stops_escalation(store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1"), "e1")
    clock.at = T0 + timedelta(minutes=5)
    await reply_sent(r, store, conv.conversation_id, T0 + timedelta(minutes=5))
    clock.at = T0 + timedelta(hours=5)
    assert await escalate(Escalator(store, r.config, "escalations", 20, clock)) == []
    doc = await store.get_conversation(conv.conversation_id)
    assert (doc["state"], doc["escalation"], doc["priority"]) == ("answered", "none", 10)


async def test_waiting_on_the_customer_pauses_the_clock(store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1"), "e1")
    cid = conv.conversation_id
    await inbox(store, Clock(T0 + timedelta(minutes=10))).snooze(
        SUPERVISOR, cid, T0 + timedelta(hours=3))
    clock.at = T0 + timedelta(hours=2)  # deadline passed on the wall clock, but paused
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    assert await escalate(escalator) == []
    # The customer writes back after 2 hours: the deadline moves by the 110 paused minutes.
    woken = await route(r, classified("m2", reply_to="m1", at=clock.at), "e2")
    assert woken.change == "message_added"
    doc = await store.get_conversation(cid)
    assert doc["status"] == "open" and doc["paused_at"] is None
    assert doc["snoozed_until"] is None
    assert doc["first_response_due_at"] == T0 + timedelta(hours=1, minutes=110)


async def test_snoozed_conversations_wake_up_when_their_time_comes(
        store: Store) -> None:
    # The brand's policy keeps the clocks running while waiting on the customer.
    policy = SlaPolicyDoc(pause_while_waiting=False)
    await store.config.put("sla_policies", "acme", policy.model_dump(mode="json"))
    await store.config.bump_version(T0)
    clock = Clock(T0)
    r = router(store, clock)
    conv = await route(r, classified("m1"), "e1")
    await inbox(store, clock).snooze(SUPERVISOR, conv.conversation_id,
                                     T0 + timedelta(minutes=30))
    clock.at = T0 + timedelta(minutes=31)
    [woken] = await escalate(Escalator(store, r.config, "escalations", 20, clock))
    assert (woken[2].change, woken[2].status) == ("woken", "open")
    assert woken[2].first_response_due_at == T0 + timedelta(hours=1)


async def test_claims_from_many_clients_have_one_winner_per_conversation(
        store: Store, mongo_url: str) -> None:
    r = router(store)
    cids = [(await route(r, classified(f"m{i}", author=f"u{i}"), f"e{i}")).conversation_id
            for i in range(5)]
    for i in range(12):
        await add_agent(store, f"agent{i}", capacity=5)
    clients = [connect(mongo_url, f"claimer-{i}") for i in range(12)]
    inboxes = [inbox(Store(c, store.db.name)) for c in clients]
    try:
        async def claim_all(i: int) -> list[str]:
            won = []
            for cid in cids:
                try:
                    await inboxes[i].claim(Actor(f"agent{i}", "agent"), cid)
                except (ConversationError, VersionConflict, AtCapacity):
                    continue
                won.append(cid)
            return won
        won = await asyncio.gather(*(claim_all(i) for i in range(len(inboxes))))
    finally:
        for c in clients:
            await c.close()
    assert sorted(cid for wins in won for cid in wins) == sorted(cids)
    for i, wins in enumerate(won):
        assert (await store.config.get("agents", f"agent{i}"))["load"] == len(wins)
        for cid in wins:
            assert (await store.get_conversation(cid))["assignee"] == f"agent{i}"
