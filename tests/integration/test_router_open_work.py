"""Open work kept apart from history: the entries follow their conversations through every
action, the views read from them match a scan of the conversations, and an entry that
does not match its conversation (a lost race, a process that died) is repaired on read."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from socialcare_router.adapters.open_work import (
    PLACED_AT,
    WRITE_UNDER_WAY,
    entry_of,
    matches,
)
from socialcare_router.adapters.store import LIST_PROJECTION, Store
from tests.integration.router_helpers import (  # noqa: F401
    SUPERVISOR,
    T0,
    Clock,
    add_agent,
    classified,
    inbox,
    random_desk_action,
    route,
    router,
    seed,
    store,
)

pytestmark = pytest.mark.integration
QUEUES = ("general", "escalations")
AGENTS = ("a1", "a2", "a3")


async def entry_ids(store: Store) -> set[str]:  # noqa: F811
    return {d["_id"] async for d in store.open_work.entries.find({}, {"_id": 1})}


async def scan_page(store: Store, query: dict, order: list, limit: int  # noqa: F811
                    ) -> list[str]:
    """What the view showed before open_work: the conversations themselves, sorted."""
    found = store.conversations.find(query, LIST_PROJECTION).sort(order).limit(limit)
    return [d["_id"] async for d in found]


async def test_a_resolved_conversation_leaves_open_work_and_a_reopened_one_returns(
        store: Store) -> None:  # noqa: F811
    [cid] = await seed(store)
    desk = inbox(store)
    assert await entry_ids(store) == {cid}
    await desk.resolve(SUPERVISOR, cid)
    assert await entry_ids(store) == set()
    assert await store.queue_page("general", "open", 50, None) == []
    assert [d["_id"] for d in await store.queue_page("general", "resolved", 50, None)] == [cid]
    await desk.reopen(SUPERVISOR, cid)
    [entry] = await store.open_work.entries.find({}).to_list()
    assert matches(entry, await store.get_conversation(cid))
    assert [d["_id"] for d in await store.queue_page("general", "open", 50, None)] == [cid]


async def test_views_match_a_scan_of_conversations_after_random_actions(
        store: Store) -> None:  # noqa: F811
    rng = random.Random(15)
    clock = Clock(T0)
    r, desk = router(store, clock), inbox(store, clock)
    for agent in AGENTS:
        await add_agent(store, agent)
    ids: list[str] = []
    for i in range(30):
        priority = rng.choice((10, 30, 50))
        ids.append((await route(r, classified(f"m{i}", author=f"u{i}", priority=priority,
                                              at=T0 + timedelta(minutes=i)), f"e{i}"))
                   .conversation_id)
    for step in range(150):
        clock.at = T0 + timedelta(hours=1, seconds=step)
        await random_desk_action(rng, desk, r, ids, QUEUES, AGENTS, clock.at, step)
    states = {d["state"] async for d in store.conversations.find({}, {"state": 1})}
    assert {"assigned", "resolved", "reopened", "waiting_on_customer"} <= states
    unresolved = {d["_id"] async for d in store.conversations.find(
        {"status": {"$ne": "resolved"}}, {"_id": 1})}
    assert await entry_ids(store) == unresolved
    async for doc in store.open_work.entries.find({}):
        assert matches(doc, await store.get_conversation(doc["_id"])), doc
    for status in ("open", "waiting_on_customer"):
        for by_priority in (False, True):
            order = [("due_at", 1), ("_id", 1)]
            if by_priority:
                order.insert(0, ("priority", -1))
            for queue in QUEUES:
                page = await store.queue_page(queue, status, 7, None, by_priority=by_priority)
                assert [d["_id"] for d in page] == await scan_page(
                    store, {"queue": queue, "status": status}, order, 7)
            for agent in AGENTS:
                page = await store.queue_page(None, status, 50, None, assignee=agent,
                                              filters={"tags": "vip"}, by_priority=by_priority)
                assert [d["_id"] for d in page] == await scan_page(
                    store, {"assignee": agent, "status": status, "tags": "vip"}, order, 50)
    overview = {row["queue"]: row for row in await store.work.queue_overview(QUEUES)}
    for queue in QUEUES:
        unresolved_in = {"queue": queue, "status": {"$ne": "resolved"}}
        assert overview[queue] == {
            "queue": queue, "open": await store.conversations.count_documents(unresolved_in),
            "unassigned": await store.conversations.count_documents(
                {**unresolved_in, "assignee": None}),
            "at_risk": await store.conversations.count_documents(
                {**unresolved_in, "escalation": "at_risk"}),
            "breached": await store.conversations.count_documents(
                {**unresolved_in, "escalation": "breached"})}
    for agent in AGENTS:
        held = await store.conversations.find({"assignee": agent, "state": "assigned",
                                               "status": {"$ne": "resolved"}}).to_list()
        assert sorted(await store.work.held_unanswered(agent)) == sorted(d["_id"] for d in held)


async def test_an_entry_that_differs_from_its_conversation_is_repaired_on_read(
        store: Store) -> None:  # noqa: F811
    cids = await seed(store, 3)
    # A transfer to `vip` that lost its version race left its entry behind; a resolve whose
    # process died before its delete left one too.
    await store.open_work.entries.update_one({"_id": cids[0]}, {"$set": {"queue": "vip"}})
    await inbox(store).resolve(SUPERVISOR, cids[1])
    await store.open_work.entries.insert_one(
        entry_of(await store.get_conversation(cids[1])) | {"status": "open"})
    # The page of `vip` finds the first entry does not match its conversation: rewritten,
    # the page read again, empty. The resolved one is dropped when `general` is read. (Pages
    # that read the entries: by priority, filtered, an agent's own; the unfiltered page by
    # due time reads the page buckets, see test_router_page_buckets.)
    assert await store.queue_page("vip", "open", 50, None, by_priority=True) == []
    general = await store.queue_page("general", "open", 50, None, by_priority=True)
    assert {d["_id"] for d in general} == {cids[0], cids[2]}
    assert await entry_ids(store) == {cids[0], cids[2]}


async def test_a_page_read_during_a_write_keeps_its_entry_until_the_write_is_lost(
        store: Store) -> None:  # noqa: F811
    [cid] = await seed(store)
    stored = await store.get_conversation(cid)
    work = store.open_work
    # A new conversation is entered just before it is inserted; a page read in between
    # must neither show it nor drop its entry, or it would be missing from every list
    # that reads entries (filtered pages, gauges, an agent's own) until its next write.
    fresh = stored | {"_id": "c_new", "version": 1, "write_id": "n"}
    await work.before_write(fresh)
    page = await store.queue_page("general", "open", 50, None, by_priority=True)
    assert [d["_id"] for d in page] == [cid]
    assert await entry_ids(store) == {cid, "c_new"}
    await store.conversations.insert_one(fresh)
    page = await store.queue_page("general", "open", 50, None, by_priority=True)
    assert {d["_id"] for d in page} == {cid, "c_new"}
    # A move that never reached its conversation (its process died) is repaired once it is
    # older than any write under way.
    await work.before_write(stored | {"queue": "vip", "version": 2, "write_id": "m"})
    assert await store.queue_page("vip", "open", 50, None, by_priority=True) == []
    assert (await store.open_work.entries.find_one({"_id": cid}))["queue"] == "vip"
    await store.open_work.entries.update_one(
        {"_id": cid}, {"$set": {PLACED_AT: datetime.now(UTC) - WRITE_UNDER_WAY * 2}})
    assert await store.queue_page("vip", "open", 50, None, by_priority=True) == []
    assert (await store.open_work.entries.find_one({"_id": cid}))["queue"] == "general"


async def test_a_store_written_before_open_work_is_adopted_once(store: Store) -> None:  # noqa: F811
    cids = await seed(store, 3)
    await store.open_work.entries.drop()
    await store.open_work.marks.drop()
    await store.create_indexes()
    assert await entry_ids(store) == set(cids)
    await store.open_work.entries.delete_one({"_id": cids[0]})
    await store.create_indexes()  # adopted already: not scanned again
    assert await entry_ids(store) == set(cids[1:])
