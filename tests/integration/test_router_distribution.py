"""Backlog distribution on the real MongoDB server: waiting work goes to agents as they come
online or free capacity, most urgent first; idle agents are set away and their unanswered
work goes to someone at work; activity is recorded from the inbox API."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

from datetime import timedelta

import pytest

from socialcare_router.adapters.store import Store
from socialcare_router.distribution import Distributor
from socialcare_router.domain.permissions import Actor
from tests.integration.router_helpers import (  # noqa: F401
    AGENT,
    T0,
    Clock,
    acked,
    api,
    changes,
    classified,
    inbox,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration
IDLE = timedelta(minutes=30)


async def desk(store: Store, *agents: tuple[str, str, int], policy: str = "least_loaded"
               ) -> None:
    for agent_id, presence, capacity in agents:
        await store.config.bootstrap_agent(agent_id, {"presence": presence,
                                                      "capacity": capacity, "load": 0,
                                                      "skills": {}})
    await store.config.put("queues", "general", {"policy": policy,
                                                 "agents": [a[0] for a in agents]})
    await store.config.bump_version(T0)


async def waiting(store: Store, clock: Clock, n: int) -> list[str]:
    """``n`` conversations routed while nobody could take them, the first most urgent."""
    r = router(store, clock)
    cids = []
    for i in range(n):
        clock.at = T0 + timedelta(minutes=i)
        cids.append((await route(r, classified(f"m{i}", author=f"u{i}", at=clock.at),
                                 f"e{i}")).conversation_id)
    return cids


async def assignees(store: Store, cids: list[str]) -> list[str | None]:
    return [(await store.get_conversation(c))["assignee"] for c in cids]


async def test_an_agent_coming_online_gets_the_most_urgent_waiting_work_up_to_capacity(
        store: Store) -> None:
    await desk(store, ("a1", "offline", 2))
    clock = Clock(T0)
    cids = await waiting(store, clock, 3)
    distributor = Distributor(store, router(store, clock).config, clock, IDLE)
    assert await distributor.run_once() == []  # nobody online: the work waits
    await store.config.update_agent("a1", {"presence": "online"})
    events = acked(store, await distributor.run_once())
    assert changes(events) == ["claimed", "claimed"]
    assert await assignees(store, cids) == ["a1", "a1", None]
    assert (await store.config.get("agents", "a1"))["load"] == 2
    # Capacity frees when the agent resolves one: the last waiting one follows next tick.
    await inbox(store, clock).resolve(Actor("a1", "agent"), cids[0])
    acked(store, await distributor.run_once())
    assert (await assignees(store, cids))[1:] == ["a1", "a1"]
    assert (await store.config.get("agents", "a1"))["load"] == 2
    assert acked(store, await distributor.run_once()) == []
    entries = [e async for e in store.audit.entries.find({"action": "assign"})]
    assert {(e["actor_id"], e["details"]["reason"]) for e in entries} == {("system", "backlog")}


async def test_work_nobody_free_is_skilled_for_stays_waiting(store: Store) -> None:
    await desk(store, ("a1", "online", 5))
    await store.config.update_agent("a1", {"skills": {"languages": ["de"]}})
    clock = Clock(T0)
    cids = await waiting(store, clock, 1)  # English
    await Distributor(store, router(store, clock).config, clock, IDLE).run_once()
    assert await assignees(store, cids) == [None]


async def test_an_idle_agent_is_set_away_and_their_unanswered_work_goes_to_another(
        store: Store) -> None:
    await desk(store, ("a1", "online", 5), ("a2", "offline", 5))
    clock = Clock(T0)
    cids = await waiting(store, clock, 2)  # auto-assigned to a1 at arrival
    assert await assignees(store, cids) == ["a1", "a1"]
    await store.config.agent_seen("a1", T0)
    await store.config.update_agent("a2", {"presence": "online"})
    distributor = Distributor(store, router(store, clock).config, clock, IDLE)
    clock.at = T0 + IDLE - timedelta(minutes=1)
    assert await distributor.run_once() == []
    clock.at = T0 + IDLE + timedelta(minutes=1)
    events = acked(store, await distributor.run_once())
    assert sorted(changes(events)) == ["claimed", "claimed", "released", "released"]
    assert await assignees(store, cids) == ["a2", "a2"]
    a1 = await store.config.get("agents", "a1")
    assert (a1["presence"], a1["load"]) == ("away", 0)


async def test_an_agent_who_never_acted_is_not_taken_for_idle(store: Store) -> None:
    await desk(store, ("a1", "online", 5))
    clock = Clock(T0 + timedelta(days=3))
    await Distributor(store, router(store, clock).config, clock, IDLE).run_once()
    assert (await store.config.get("agents", "a1"))["presence"] == "online"


async def test_acting_in_the_inbox_counts_as_activity_and_list_refreshes_do_not(
        store: Store, api) -> None:
    await store.config.bootstrap_agent("agent-a", {"presence": "online", "capacity": 5,
                                                   "load": 0, "skills": {}})
    assert (await api.get("/v1/queues/general/conversations", headers=AGENT)).status_code == 200
    assert "last_active_at" not in await store.config.get("agents", "agent-a")
    response = await api.put("/v1/me/presence", json={"presence": "online"}, headers=AGENT)
    assert response.status_code == 200, response.text
    assert (await store.config.get("agents", "agent-a"))["last_active_at"] is not None
