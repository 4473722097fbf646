"""Queue pages read through keyed buckets (adapters/page_buckets): every open conversation is
in the bucket of its queue, status and due minute whatever the writers race, a resolve
takes it out, hints left behind are dropped by the page that finds them, and the pages
equal a sorted scan of the conversations."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
import random
from datetime import timedelta
from typing import Any

import pytest

from socialcare_router.adapters.field_names import escape
from socialcare_router.adapters.page_buckets import directory_id, placement_of
from socialcare_router.adapters.store import LIST_PROJECTION, Store
from socialcare_router.domain.conversation import ConversationError
from socialcare_runtime.mongo import connect
from tests.integration.router_helpers import (  # noqa: F401
    DESK_ACTIONS,
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
STATUSES = ("open", "waiting_on_customer")


async def bucket_entries(store: Store, conversation_id: str) -> list[str]:
    """The buckets that hold an entry for the conversation."""
    field = "e." + escape(conversation_id)
    return [b["_id"] async for b in store.open_work.buckets.pages.find(
        {field: {"$exists": True}}, {"_id": 1})]


async def every_page(store: Store, queue: str, status: str, size: int,
                     brands: list[str] | None = None) -> list[str]:
    """Every conversation of the view, page after page (the cursor as the API makes it)."""
    ids: list[str] = []
    after = None
    while True:
        page = await store.queue_page(queue, status, size, after, brands=brands)
        ids += [d["_id"] for d in page]
        if len(page) < size:
            return ids
        after = (page[-1]["due_at"], page[-1]["_id"], None)


async def scan(store: Store, query: dict[str, Any]) -> list[str]:
    found = store.conversations.find(query, LIST_PROJECTION).sort([("due_at", 1), ("_id", 1)])
    return [d["_id"] async for d in found]


async def assert_buckets_hold_every_open_conversation(store: Store) -> None:
    async for doc in store.conversations.find({}, {"queue": 1, "status": 1, "due_at": 1,
                                                   "version": 1}):
        placement = placement_of(doc)
        held = await bucket_entries(store, doc["_id"])
        if placement is None:
            assert held == [], doc
        else:
            assert placement.bucket in held, doc
            directory = await store.open_work.buckets.pages.find_one(
                {"_id": placement.directory})
            assert placement.minute in directory["m"], doc


async def test_a_resolve_takes_the_conversation_out_of_its_bucket(store: Store) -> None:
    [cid] = await seed(store)
    desk = inbox(store)
    placement = placement_of(await store.get_conversation(cid))
    assert placement is not None
    assert await bucket_entries(store, cid) == [placement.bucket]
    await desk.resolve(SUPERVISOR, cid)
    assert await bucket_entries(store, cid) == []
    assert await store.queue_page("general", "open", 50, None) == []
    # The page found the bucket empty: gone, and its minute with it.
    assert await store.open_work.buckets.pages.find_one({"_id": placement.bucket}) is None
    directory = await store.open_work.buckets.pages.find_one({"_id": placement.directory})
    assert directory["m"] == {}
    await desk.reopen(SUPERVISOR, cid)
    assert [d["_id"] for d in await store.queue_page("general", "open", 50, None)] == [cid]
    await assert_buckets_hold_every_open_conversation(store)


async def test_a_page_drops_hints_that_no_longer_match_their_conversation(
        store: Store) -> None:
    cids = await seed(store, 3, at=T0 + timedelta(minutes=30))
    pages = store.open_work.buckets.pages
    # A transfer that lost its race left an entry in the `vip` queue's bucket, and a write
    # whose process died left one in an earlier minute of `general`.
    for queue, cid in (("vip", cids[0]), ("general", cids[1])):
        doc = await store.get_conversation(cid)
        wrong = placement_of(doc | {"queue": queue, "due_at": doc["due_at"] - timedelta(hours=1)})
        await store.open_work.buckets.place(wrong)
    assert len(await bucket_entries(store, cids[1])) == 2
    assert await store.queue_page("vip", "open", 50, None) == []
    general = await store.queue_page("general", "open", 50, None)
    assert [d["_id"] for d in general] == await scan(store, {"queue": "general",
                                                             "status": "open"})
    assert len(general) == 3
    for cid in cids:
        assert await bucket_entries(store, cid) == [placement_of(
            await store.get_conversation(cid)).bucket]
    assert (await pages.find_one({"_id": directory_id("vip", "open")}))["m"] == {}


async def test_concurrent_writers_on_two_replicas_keep_every_conversation_in_its_bucket(
        store: Store, mongo_url: str) -> None:
    client = connect(mongo_url, "test-second-replica")
    other = Store(client, store.db.name)  # a second inbox process on the same database
    try:
        rng = random.Random(7)
        clock = Clock(T0)
        r = router(store, clock)
        desks = [inbox(store, clock), inbox(other, clock)]
        for agent in ("a1", "a2", "a3"):
            await add_agent(store, agent)
        ids = [(await route(r, classified(f"m{i}", author=f"u{i}",
                                          at=T0 + timedelta(minutes=rng.randrange(90))),
                            f"e{i}")).conversation_id for i in range(24)]

        async def act(step: int) -> None:
            await random_desk_action(rng, rng.choice(desks), r, ids, QUEUES,
                                     ("a1", "a2", "a3"), clock.at, step,
                                     tuple(a for a in DESK_ACTIONS if a != "tag"))

        for round_ in range(12):  # writers race for the same conversations in each round
            clock.at = T0 + timedelta(hours=1, minutes=round_)
            await asyncio.gather(*(act(round_ * 100 + i) for i in range(12)))
            for queue in QUEUES:
                for status in STATUSES:
                    expected = await scan(store, {"queue": queue, "status": status})
                    assert await every_page(store, queue, status, 4) == expected
                    assert await every_page(other, queue, status, 50) == expected
        await assert_buckets_hold_every_open_conversation(store)
        states = {d["status"] async for d in store.conversations.find({}, {"status": 1})}
        assert {"waiting_on_customer", "resolved"} <= states
    finally:
        await client.close()


async def test_pages_of_a_brand_hold_only_its_conversations(store: Store) -> None:
    cids = await seed(store, 5)
    for cid in cids[1::2]:  # not part of the bucket's key: no bucket write needed
        await store.conversations.update_one({"_id": cid}, {"$set": {"brand_account": "b"}})
    everyone = await scan(store, {"queue": "general", "status": "open"})
    assert len(everyone) == 5
    mine = await every_page(store, "general", "open", 2, brands=["b"])
    assert mine == await scan(store, {"queue": "general", "status": "open",
                                      "brand_account": "b"})
    assert set(mine) == set(cids[1::2])


async def test_a_store_whose_open_work_predates_the_buckets_is_entered_once(
        store: Store) -> None:
    cids = await seed(store, 3)
    await store.open_work.buckets.pages.drop()
    await store.open_work.marks.delete_one({"_id": "page buckets adopted"})
    assert await store.queue_page("general", "open", 50, None) == []  # nothing entered
    await store.create_indexes()
    assert {d["_id"] for d in await store.queue_page("general", "open", 50, None)} == set(cids)
    await assert_buckets_hold_every_open_conversation(store)


async def test_racing_moves_of_one_conversation_leave_it_in_its_bucket(
        store: Store, mongo_url: str) -> None:
    client = connect(mongo_url, "test-second-replica")
    other = Store(client, store.db.name)
    try:
        [cid] = await seed(store)
        clock = Clock(T0)
        desks = [inbox(store, clock), inbox(store, clock), inbox(other, clock)]
        for round_ in range(8):
            clock.at = T0 + timedelta(minutes=round_)

            async def move(desk: Any, queue: str) -> None:
                try:
                    await desk.transfer(SUPERVISOR, cid, queue, None)
                except ConversationError:
                    pass  # lost every retry to the other movers: nothing changed

            # Two writers in one process and one in another move it at once: the losers'
            # hints and the winner's removal of the bucket it left must not take it out.
            await asyncio.gather(move(desks[0], "escalations"), move(desks[1], "general"),
                                 move(desks[2], QUEUES[round_ % 2]))
            queue = (await store.get_conversation(cid))["queue"]
            assert [d["_id"] for d in await store.queue_page(queue, "open", 50, None)] == [cid]
            await assert_buckets_hold_every_open_conversation(store)
    finally:
        await client.close()


async def test_a_racing_loser_never_makes_the_winner_drop_its_own_entry(store: Store) -> None:
    [cid] = await seed(store)
    stored = await store.get_conversation(cid)
    work = store.open_work
    # Two writes of version 2 in one process: the loser reads the winner's new entry as
    # "the one it replaces"; the winner's clean-up must still drop only version 1's bucket.
    winner = stored | {"queue": "escalations", "version": 2, "write_id": "w"}
    loser = stored | {"queue": "vip", "version": 2, "write_id": "l"}
    await work.before_write(winner)
    await work.before_write(loser)
    assert (await store.conversations.replace_one({"_id": cid, "version": 1}, winner)
            ).modified_count == 1
    await work.repair([winner], [cid])  # what the repository does for the loser
    await work.after_write(winner)
    assert set(await bucket_entries(store, cid)) == {placement_of(winner).bucket,
                                                     placement_of(loser).bucket}
    assert [d["_id"] for d in await store.queue_page("escalations", "open", 50, None)] == [cid]
    assert await store.queue_page("vip", "open", 50, None) == []
    assert await store.queue_page("general", "open", 50, None) == []
    assert await bucket_entries(store, cid) == [placement_of(winner).bucket]


async def test_a_page_read_in_the_middle_of_a_write_leaves_that_writes_entry(
        store: Store) -> None:
    [cid] = await seed(store)
    stored = await store.get_conversation(cid)
    work = store.open_work
    moving = stored | {"queue": "escalations", "version": 2, "write_id": "m"}
    await work.before_write(moving)  # entered; the conversation write not done yet
    assert await store.queue_page("escalations", "open", 50, None) == []
    assert [d["_id"] for d in await store.queue_page("general", "open", 50, None)] == [cid]
    assert (await store.conversations.replace_one({"_id": cid, "version": 1}, moving)
            ).modified_count == 1
    await work.after_write(moving)
    assert [d["_id"] for d in await store.queue_page("escalations", "open", 50, None)] == [cid]
    assert await store.queue_page("general", "open", 50, None) == []
    # A new conversation is entered before it is inserted: a page in between leaves it too.
    fresh = stored | {"_id": "c_new", "version": 1, "write_id": "n"}
    await work.before_write(fresh)
    assert [d["_id"] for d in await store.queue_page("general", "open", 50, None)] == []
    await store.conversations.insert_one(fresh)
    assert [d["_id"] for d in await store.queue_page("general", "open", 50, None)] == ["c_new"]
    await assert_buckets_hold_every_open_conversation(store)
