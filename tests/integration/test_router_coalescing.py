"""Grouped MongoDB requests of the router store against the real server: each caller gets
its own answer, a duplicate insert is refused alone, one document's writes keep their order."""

import asyncio

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import WriteError

from socialcare_router.adapters.coalescing import insert_once, lookup_by_id, upsert_by_id

pytestmark = pytest.mark.integration


async def test_lookups_made_together_each_get_their_own_document(mongo_db: AsyncDatabase
                                                                 ) -> None:
    await mongo_db.docs.insert_many([{"_id": f"d{i}", "n": i} for i in range(10)])
    find = lookup_by_id(mongo_db.docs, {"n": 1})
    asked = ["d3", "missing", "d7", "d3", "d0"]
    found = await asyncio.gather(*(find(i) for i in asked))
    assert found == [{"_id": "d3", "n": 3}, None, {"_id": "d7", "n": 7},
                     {"_id": "d3", "n": 3}, {"_id": "d0", "n": 0}]


async def test_a_duplicate_insert_is_refused_alone(mongo_db: AsyncDatabase) -> None:
    await mongo_db.docs.insert_one({"_id": "old"})
    insert = insert_once(mongo_db.docs)
    outcome = await asyncio.gather(*(insert({"_id": i}) for i in ["a", "old", "b", "a"]))
    # The second "a" waits for the first (same _id never shares a request) and finds it.
    assert outcome == [True, False, True, False]
    assert sorted(d["_id"] for d in await mongo_db.docs.find().to_list()) == ["a", "b", "old"]


async def test_upserts_of_one_document_apply_in_call_order(mongo_db: AsyncDatabase) -> None:
    upsert = upsert_by_id(mongo_db.docs)
    await asyncio.gather(*(upsert((f"c{i % 3}", {"$set": {"last": i}, "$inc": {"writes": 1}}))
                           for i in range(9)))
    docs = {d["_id"]: d for d in await mongo_db.docs.find().to_list()}
    assert {k: (d["last"], d["writes"]) for k, d in docs.items()} == {
        "c0": (6, 3), "c1": (7, 3), "c2": (8, 3)}


async def test_a_failing_write_fails_only_its_caller(mongo_db: AsyncDatabase) -> None:
    upsert = upsert_by_id(mongo_db.docs)
    bad = {"$set": {"a": 1}, "$inc": {"a": 1}}  # conflicting operators on one field
    ok, failed = await asyncio.gather(upsert(("x", {"$set": {"a": 1}})), upsert(("y", bad)),
                                      return_exceptions=True)
    assert ok is None and isinstance(failed, WriteError)
    assert await mongo_db.docs.find_one({"_id": "x"}) == {"_id": "x", "a": 1}
