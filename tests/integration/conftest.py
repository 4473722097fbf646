"""Integration fixtures; the servers themselves come from tests/conftest.py."""

import uuid
from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.fakes.platform_server import FakePlatform


@pytest.fixture
async def mongo_db(mongo_url: str) -> AsyncIterator[AsyncDatabase]:
    """A fresh database with a unique name, dropped after the test."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_url)
    name = f"test_{uuid.uuid4().hex[:16]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    """A local server that answers as the X and Meta APIs do, for the gateway tests."""
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()
