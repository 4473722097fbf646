"""The Conversation aggregate with its repository on the real MongoDB server and Kafka:
concurrent saves, replies before their parent, facts from follow-ups, next-response
deadlines, and the agent-load invariant under racing claims."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
from datetime import timedelta

import httpx
import pytest

from socialcare_router.adapters.conversations import AtCapacity, VersionConflict
from socialcare_router.adapters.store import Store
from socialcare_router.domain.permissions import Actor
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.escalation import Escalator
from socialcare_runtime.mongo import connect
from tests.integration.router_helpers import (  # noqa: F401
    AGENT,
    SUPERVISOR,
    T0,
    Clock,
    acked,
    add_agent,
    api,
    brand_reply,
    changes,
    classified,
    escalate,
    inbox,
    reply_sent,
    route,
    router,
    seed,
    store,
)

pytestmark = pytest.mark.integration


async def test_of_two_concurrent_saves_one_wins_and_the_other_writes_nothing(
        store: Store) -> None:
    await add_agent(store, "a1", capacity=5)
    [cid] = await seed(store)
    winners = set()
    for _ in range(6):
        claimer = await store.repository.get(cid)
        resolver = await store.repository.get(cid)
        assert claimer is not None and resolver is not None
        seen = claimer.version
        claimer.claim("a1", T0)
        resolver.resolve(T0)
        claimed, resolved = await asyncio.gather(store.repository.save(claimer, T0),
                                                 store.repository.save(resolver, T0),
                                                 return_exceptions=True)
        assert [isinstance(o, VersionConflict) for o in (claimed, resolved)].count(True) == 1
        stored = await store.repository.get(cid)
        assert stored is not None and stored.version == seen + 1
        load = (await store.config.get("agents", "a1"))["load"]
        outbox = [e["event"]["change"] for e in stored.outbox]
        if isinstance(resolved, VersionConflict):  # the claim won
            winners.add("claim")
            assert (stored.assignee, stored.status, load) == ("a1", "open", 1)
            assert "claimed" in outbox and "resolved" not in outbox
            acked(store, claimed)
            stored.release(T0)
        else:  # the resolve won, and the claim's reserved capacity was given back
            winners.add("resolve")
            assert (stored.assignee, stored.status, load) == (None, "resolved", 0)
            assert "resolved" in outbox and "claimed" not in outbox
            acked(store, resolved)
            stored.reopen(T0, SlaPolicy(), 0.75)
        await store.repository.save(stored, T0)  # the next round starts open and free
        assert (await store.config.get("agents", "a1"))["load"] == 0
    assert winners  # which one wins depends on the interleaving; both are consistent


async def test_a_brand_reply_routed_before_its_parent_is_applied_when_the_parent_arrives(
        store: Store) -> None:
    r = router(store)
    early = await r.route_message(brand_reply("b1", "m1", T0 + timedelta(minutes=7)), "e1")
    assert early == [] and await store.conversations.count_documents({}) == 0
    events = await r.route_message(classified("m1", at=T0), "e2")
    assert changes(events) == ["created", "reply_sent"]
    [cid] = {conversation_id for _, conversation_id, _ in events}
    conversation = await store.repository.get(cid)
    assert conversation is not None
    assert conversation.first_response_at == T0 + timedelta(minutes=7)
    assert conversation.state == "answered" and conversation.response_keys == ["x:acme:b1"]
    outbound = await store.messages.find_one({"_id": "x:acme:b1"})
    assert outbound is not None
    assert (outbound["direction"], outbound["conversation_id"]) == ("outbound", cid)
    assert [m["_id"] for m in await store.thread(cid)] == ["x:acme:m1", "x:acme:b1"]
    assert await store.awaiting.count_documents({}) == 0
    # Delivered again, the customer message changes nothing and the reply counts once.
    await r.route_message(classified("m1", at=T0), "e2")
    again = await store.repository.get(cid)
    assert again is not None and again.response_keys == ["x:acme:b1"]
    assert again.version == conversation.version


async def test_brand_replies_routed_alongside_their_parents_are_all_applied(
        store: Store) -> None:
    # An import sends customer messages and the brand's answers at once, on different
    # partitions: each reply looks for its parent while the parent is being stored.
    r = router(store)
    n = 30
    await asyncio.gather(*(handled for i in range(n) for handled in (
        r.route_message(classified(f"m{i}", author=f"u{i}"), f"e{i}"),
        r.route_message(brand_reply(f"b{i}", f"m{i}", T0 + timedelta(minutes=3)), f"f{i}"))))
    assert await store.conversations.count_documents({}) == n
    assert await store.conversations.count_documents(
        {"first_response_at": T0 + timedelta(minutes=3)}) == n
    assert await store.messages.count_documents({"direction": "outbound"}) == n
    assert await store.awaiting.count_documents({}) == 0


async def test_a_follow_up_with_private_data_marks_the_conversation_and_the_preview(
        api: httpx.AsyncClient, store: Store) -> None:
    r = router(store)
    cid = (await route(r, classified("m1"), "e1")).conversation_id
    url = f"/v1/conversations/{cid}/replies/preview"
    before = await api.post(url, headers=AGENT, json={"text": "Could you DM us?"})
    assert before.status_code == 200 and before.json()["private_data"] is False
    follow_up = await route(r, classified("m2", reply_to="m1", at=T0 + timedelta(minutes=2),
                                          private_data=True), "e2")
    assert (follow_up.conversation_id, follow_up.change) == (cid, "message_added")
    assert (await store.get_conversation(cid))["private_data"] is True
    after = await api.post(url, headers=AGENT, json={"text": "Could you DM us?"})
    assert after.status_code == 200 and after.json()["private_data"] is True
    # A later message without personal data does not clear what was seen.
    await route(r, classified("m3", reply_to="m2", at=T0 + timedelta(minutes=3)), "e3")
    detail = (await api.get(f"/v1/conversations/{cid}", headers=AGENT)).json()
    assert detail["conversation"]["private_data"] is True
    assert detail["conversation"]["message_count"] == 3


async def test_a_message_after_our_answer_gets_a_next_response_deadline_that_escalates(
        store: Store) -> None:
    clock = Clock(T0)
    r = router(store, clock)
    cid = (await route(r, classified("m1"), "e1")).conversation_id
    clock.at = T0 + timedelta(minutes=10)
    await reply_sent(r, store, cid, clock.at)
    answered = await store.repository.get(cid)
    assert answered is not None and answered.state == "answered"
    assert answered.next_response_due_at is None and answered.escalate_at is None
    # The customer writes again at 16:00 UTC, in business hours: due within the hour.
    clock.at = later = T0 + timedelta(hours=1)
    update = await route(r, classified("m2", reply_to="p-r1", at=later), "e2")
    assert update.conversation_id == cid
    doc = await store.get_conversation(cid)
    assert doc["next_response_due_at"] == later + timedelta(hours=1)
    assert doc["due_at"] == doc["next_response_due_at"]
    assert doc["state"] == "new" and doc["escalation"] == "none"
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    clock.at = later + timedelta(minutes=44)
    assert await escalate(escalator) == []
    clock.at = later + timedelta(minutes=46)  # past 75% of the hour
    [risk] = await escalate(escalator)
    assert (risk[2].change, risk[2].priority) == ("at_risk", 30)
    clock.at = later + timedelta(minutes=61)
    [breach] = await escalate(escalator)
    assert (breach[2].change, breach[2].queue) == ("breached", "escalations")
    doc = await store.get_conversation(cid)
    assert (doc["escalation"], doc["queue"], doc["previous_queue"]) == \
        ("breached", "escalations", "general")


async def test_racing_claims_never_take_an_agent_past_capacity(store: Store,
                                                               mongo_url: str) -> None:
    await add_agent(store, "a1", capacity=2)
    cids = await seed(store, 6)
    agent = Actor("a1", "agent")
    clients = [connect(mongo_url, f"claimer-{i}") for i in range(len(cids))]
    try:
        outcomes = await asyncio.gather(*(
            inbox(Store(client, store.db.name)).claim(agent, cid)
            for client, cid in zip(clients, cids, strict=True)), return_exceptions=True)
    finally:
        for client in clients:
            await client.close()
    won = [o.id for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 2 and all(isinstance(o, AtCapacity) for o in refused), outcomes
    assert (await store.config.get("agents", "a1"))["load"] == 2
    held = await store.conversations.count_documents({"assignee": "a1"})
    assert held == 2
    for cid in set(cids) - set(won):
        doc = await store.get_conversation(cid)
        assert (doc["assignee"], doc["state"], doc["version"]) == (None, "new", 1)
    work = inbox(store)
    for cid in won:
        assert (await work.resolve(agent, cid)).status == "resolved"
    assert (await store.config.get("agents", "a1"))["load"] == 0
    # Capacity is free again: the agent may take the next conversation.
    assert (await work.claim(agent, sorted(set(cids) - set(won))[0])).assignee == "a1"
    assert (await store.config.get("agents", "a1"))["load"] == 1


async def test_a_transfer_back_to_the_holder_needs_no_free_capacity(store: Store) -> None:
    await add_agent(store, "a1", capacity=1)
    [cid] = await seed(store)
    work = inbox(store)
    await work.claim(Actor("a1", "agent"), cid)
    moved = await work.transfer(SUPERVISOR, cid, "escalations", "a1")
    assert (moved.queue, moved.assignee) == ("escalations", "a1")
    assert (await store.config.get("agents", "a1"))["load"] == 1


async def test_an_answer_older_than_the_customers_latest_message_keeps_the_clock_running(
        store: Store) -> None:
    # The customer wrote twice; the brand's answer to the first (imported, or a ReplySent
    # that arrives late) was sent between them: the second message still waits.
    clock = Clock(T0)
    r = router(store, clock)
    cid = (await route(r, classified("m1"), "e1")).conversation_id
    clock.at = T0 + timedelta(minutes=30)
    await route(r, classified("m2", reply_to="m1", at=clock.at), "e2")
    clock.at = T0 + timedelta(minutes=35)
    acked(store, await r.route_message(brand_reply("b1", "m1", T0 + timedelta(minutes=10)),
                                       "e3"))
    doc = await store.get_conversation(cid)
    assert doc["first_response_at"] == T0 + timedelta(minutes=10)
    assert doc["state"] == "new"
    assert doc["due_at"] == doc["next_response_due_at"] == T0 + timedelta(hours=1)
    clock.at = T0 + timedelta(hours=2)
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    assert changes(await escalate(escalator)) == ["at_risk"]
    assert changes(await escalate(escalator)) == ["breached"]
    assert await store.repository.timers.due("escalate_at", clock.at, 10) == []


async def test_a_conversation_an_agent_reopened_is_assigned_only_when_a_response_is_due(
        store: Store) -> None:
    await add_agent(store, "a1")
    clock = Clock(T0)
    r = router(store, clock)
    cid = (await route(r, classified("m1"), "e1")).conversation_id
    await reply_sent(r, store, cid, T0 + timedelta(minutes=5))
    work = inbox(store, clock)
    await work.resolve(SUPERVISOR, cid)
    await work.reopen(SUPERVISOR, cid)
    held = await work.claim(Actor("a1", "agent"), cid)
    # Nothing is unanswered: "assigned" (a response is due) would be untrue, and going
    # offline would hand it back to the queue as if it were.
    assert (held.state, held.assignee, held.next_response_due_at) == ("reopened", "a1", None)
    assert await store.work.held_unanswered("a1") == []
    clock.at = later = T0 + timedelta(hours=1)
    await route(r, classified("m2", reply_to="p-r1", at=later), "e2")
    doc = await store.get_conversation(cid)
    assert (doc["state"], doc["assignee"]) == ("assigned", "a1")
    assert doc["next_response_due_at"] == doc["due_at"] == later + timedelta(hours=1)
    assert await store.work.held_unanswered("a1") == [cid]


async def test_another_customer_answering_in_a_public_thread_gets_a_conversation_of_their_own(
        store: Store) -> None:
    r = router(store)
    first = await route(r, classified("m1", author="u1"), "e1")
    await r.route_message(brand_reply("b1", "m1", T0 + timedelta(minutes=5)), "e2")
    # u2 joins u1's thread ("same here!"), answering the brand's reply to u1.
    other = await route(r, classified("m2", author="u2", reply_to="b1",
                                      at=T0 + timedelta(minutes=9)), "e3")
    # u1 answering the brand stays in u1's conversation.
    same = await route(r, classified("m3", author="u1", reply_to="b1",
                                     at=T0 + timedelta(minutes=10)), "e4")
    assert other.conversation_id != first.conversation_id
    assert (other.customer_id, same.conversation_id) == ("u2", first.conversation_id)
