"""Single-document updates are atomic: racing agents never claim the same conversation twice.

The router's claim is a conditional ``find_one_and_update``; this holds it to the server
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
