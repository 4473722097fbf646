"""Single-document writes are atomic: racing agents never claim the same conversation twice.

The router saves a conversation with ``replace_one({_id, version: seen})`` (optimistic
concurrency) and reserves an agent's capacity with ``update_one({load: {$lt: capacity}},
{$inc})``; this holds both, and the plain conditional ``find_one_and_update``, to the server
the tests run against (the local wire-protocol server, or MongoDB via SOCIALCARE_MONGO_URL).
"""

import asyncio
import random

import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

pytestmark = pytest.mark.integration

CLIENTS = 50
DOCUMENTS = 200


async def claim_all(mongo_url: str, database: str, me: str, keys: list[int]) -> list[int]:
    """One agent with its own client tries every key; returns the keys it won."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    try:
        collection = client[database]["claims"]
        won = []
        for key in keys:
            claimed = await collection.find_one_and_update(
                {"_id": key, "claimed_by": None},
                {"$set": {"claimed_by": me}},
                return_document=ReturnDocument.AFTER,
            )
            if claimed is not None:
                assert claimed["claimed_by"] == me
                won.append(key)
        return won
    finally:
        await client.close()


async def test_each_document_is_claimed_exactly_once(
    mongo_db: AsyncDatabase, mongo_url: str
) -> None:
    await mongo_db["claims"].insert_many(
        [{"_id": key, "claimed_by": None} for key in range(DOCUMENTS)]
    )
    agents = [f"agent-{n}" for n in range(CLIENTS)]
    # Each agent walks the keys in its own order, so they collide all over the range.
    orders = [random.Random(n).sample(range(DOCUMENTS), DOCUMENTS) for n in range(CLIENTS)]

    results = await asyncio.gather(*(
        claim_all(mongo_url, mongo_db.name, agent, order)
        for agent, order in zip(agents, orders, strict=True)
    ))

    wins = [key for won in results for key in won]
    assert sum(len(won) for won in results) == DOCUMENTS
    assert sorted(wins) == list(range(DOCUMENTS))
    owners = {doc["_id"]: doc["claimed_by"] async for doc in mongo_db["claims"].find()}
    assert owners == {key: agent for agent, won in zip(agents, results, strict=True)
                      for key in won}


async def replace_all(mongo_url: str, database: str, me: str, keys: list[int]) -> list[int]:
    """What the repository does: read, refuse if claimed, replace if the version is unchanged."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    try:
        collection = client[database]["versioned"]
        won = []
        for key in keys:
            seen = await collection.find_one({"_id": key})
            if seen is None or seen["claimed_by"] is not None:
                continue
            result = await collection.replace_one(
                {"_id": key, "version": seen["version"]},
                {**seen, "claimed_by": me, "version": seen["version"] + 1})
            if result.matched_count == 1:
                won.append(key)
        return won
    finally:
        await client.close()


async def test_a_versioned_replace_has_one_winner(mongo_db: AsyncDatabase,
                                                  mongo_url: str) -> None:
    await mongo_db["versioned"].insert_many(
        [{"_id": key, "claimed_by": None, "version": 1} for key in range(DOCUMENTS)])
    agents = [f"agent-{n}" for n in range(CLIENTS)]
    orders = [random.Random(n).sample(range(DOCUMENTS), DOCUMENTS) for n in range(CLIENTS)]
    results = await asyncio.gather(*(
        replace_all(mongo_url, mongo_db.name, agent, order)
        for agent, order in zip(agents, orders, strict=True)))
    assert sorted(key for won in results for key in won) == list(range(DOCUMENTS))
    stored = {doc["_id"]: doc async for doc in mongo_db["versioned"].find()}
    assert {doc["version"] for doc in stored.values()} == {2}
    assert {key: doc["claimed_by"] for key, doc in stored.items()} == {
        key: agent for agent, won in zip(agents, results, strict=True) for key in won}


async def test_a_capacity_reservation_never_overshoots(mongo_db: AsyncDatabase,
                                                       mongo_url: str) -> None:
    capacity = 7
    await mongo_db["agents"].insert_one({"_id": "a1", "load": 0, "capacity": capacity})
    clients: list[AsyncMongoClient] = [AsyncMongoClient(mongo_url) for _ in range(CLIENTS)]
    try:
        results = await asyncio.gather(*(
            client[mongo_db.name]["agents"].update_one(
                {"_id": "a1", "load": {"$lt": capacity}}, {"$inc": {"load": 1}})
            for client in clients))
    finally:
        for client in clients:
            await client.close()
    assert sum(r.modified_count for r in results) == capacity
    assert (await mongo_db["agents"].find_one({"_id": "a1"}))["load"] == capacity
