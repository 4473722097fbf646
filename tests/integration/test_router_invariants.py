"""Random work on a few conversations through the router, the inbox and the escalator, on
the real MongoDB server: after every step, agents' loads match what they hold and each
state tells the truth about what is due; at the end no escalation is left undone."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import random
from datetime import timedelta

import pytest

from socialcare_router.adapters.conversations import AtCapacity
from socialcare_router.adapters.store import Store
from socialcare_router.domain.conversation import TIMERS, ConversationError
from socialcare_router.domain.permissions import Actor
from socialcare_router.escalation import Escalator
from tests.integration.router_helpers import (  # noqa: F401
    SUPERVISOR,
    T0,
    Clock,
    acked,
    add_agent,
    brand_reply,
    classified,
    escalate,
    inbox,
    reply_sent,
    router,
    store,
)

pytestmark = pytest.mark.integration
AGENTS = ("a1", "a2", "a3")
CAPACITY = 2
OPERATIONS = ("message", "message", "reply", "brand_reply", "claim", "release", "resolve",
              "reopen", "snooze", "transfer", "escalate")


async def check(store: Store, where: tuple) -> None:
    docs = await store.conversations.find().to_list()
    for agent in AGENTS:
        held = sum(d["assignee"] == agent and d["status"] != "resolved" for d in docs)
        load = (await store.config.get("agents", agent))["load"]
        assert held == load <= CAPACITY, (*where, agent)
    for d in docs:
        due = d["first_response_at"] is None or d["next_response_due_at"] is not None
        assert (d["state"] in ("new", "assigned")) <= due, (*where, d["_id"], d["state"])
        if d["state"] in ("new", "assigned"):
            running = d["first_response_due_at"] if d["first_response_at"] is None \
                else d["next_response_due_at"]
            assert d["due_at"] == running, (*where, d["_id"])
            assert (d["state"] == "assigned") == (d["assignee"] is not None), where
        if d["state"] == "answered":
            assert d["next_response_due_at"] is None and d["escalate_at"] is None, where
        if d["status"] == "resolved":
            assert d["assignee"] is None and d["escalate_at"] is None, where


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_work_keeps_loads_and_states_true(store: Store, seed: int) -> None:
    rnd = random.Random(seed)
    clock = Clock(T0)
    r = router(store, clock)
    for agent in AGENTS:
        await add_agent(store, agent, capacity=CAPACITY)
    await store.config.put("queues", "general", {"policy": "least_loaded",
                                                 "agents": list(AGENTS)})
    await store.config.bump_version(T0)
    work = inbox(store, clock)
    escalator = Escalator(store, r.config, "escalations", 20, clock)
    cids: list[str] = []
    for step in range(80):
        clock.at += timedelta(minutes=rnd.randint(1, 40))
        operation = rnd.choice(OPERATIONS) if cids else "message"
        cid = rnd.choice(cids) if cids else ""
        try:
            if operation == "message":
                events = acked(store, await r.route_message(classified(
                    f"m{step}", author=f"u{rnd.randint(0, 4)}", at=clock.at), f"e{step}"))
                cids += [events[-1][1]] if events[-1][1] not in cids else []
            elif operation == "reply":
                await reply_sent(r, store, cid, clock.at - timedelta(minutes=rnd.randint(0, 30)),
                                 f"r{step}")
            elif operation == "brand_reply":
                parent = rnd.choice(await store.messages.find({"direction": "inbound"})
                                    .to_list())
                acked(store, await r.route_message(brand_reply(
                    f"b{step}", parent["platform_message_id"],
                    clock.at - timedelta(minutes=rnd.randint(0, 30))), f"e{step}"))
            elif operation == "claim":
                await work.claim(Actor(rnd.choice(AGENTS), "agent"), cid)
            elif operation == "release":
                await work.release(SUPERVISOR, cid)
            elif operation == "resolve":
                await work.resolve(SUPERVISOR, cid)
            elif operation == "reopen":
                await work.reopen(SUPERVISOR, cid)
            elif operation == "snooze":
                await work.snooze(SUPERVISOR, cid,
                                  clock.at + timedelta(minutes=rnd.randint(5, 90)))
            elif operation == "transfer":
                await work.transfer(SUPERVISOR, cid, rnd.choice(("general", "escalations")),
                                    rnd.choice(AGENTS))
            else:
                await escalate(escalator)
        except (ConversationError, AtCapacity):
            pass  # refused, and nothing written: the checks below hold either way
        await check(store, (seed, step, operation))
    clock.at += timedelta(days=3)
    for _ in range(3):
        await escalate(escalator)
    for timer in TIMERS:
        assert await store.repository.timers.due(timer, clock.at, 100) == [], timer
