"""Brand-mention listening against a local X search server, real Kafka and MongoDB server."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from pymongo import MongoClient
from starlette.testclient import TestClient

from services.ingest.tests.kafka_support import fresh_settings, ingest_app, received
from socialcare_ingest.bootstrap import connect_database, connect_publisher
from socialcare_ingest.delivery import FrontDoor
from socialcare_ingest.domain.listening import ListeningRules
from socialcare_ingest.listening.poller import Poller
from socialcare_ingest.listening.store import ListeningStore
from socialcare_ingest.listening.x_search import SearchError, XSearchClient
from socialcare_ingest.settings import IngestSettings
from tests.fakes.x_search_server import FakeXSearch

pytestmark = pytest.mark.integration
ADMIN = {"X-API-Key": "admin-key"}


@pytest.fixture
def fake_x() -> Iterator[FakeXSearch]:
    with FakeXSearch() as fake:
        yield fake


@pytest.fixture
def settings(kafka_bootstrap: str, mongo_url: str, fake_x: FakeXSearch) -> Iterator[IngestSettings]:
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield fresh_settings(kafka_bootstrap, mongo_url=mongo_url, mongo_database=name,
                         x_api_base_url=fake_x.base_url, listening_bearer_tokens=["test-bearer"],
                         ingest_admin_keys=["admin-key"], listening_max_results=10,
                         listening_max_pages=2)
    with MongoClient(mongo_url) as client:
        client.drop_database(name)


@pytest.fixture
async def poller(settings: IngestSettings) -> AsyncIterator[Poller]:
    db = connect_database(settings, "test")
    publisher = connect_publisher(settings)
    async with httpx.AsyncClient(base_url=settings.x_api_base_url) as http:
        yield Poller(settings, ListeningStore(db), XSearchClient(http, "test-bearer"),
                     publisher, FrontDoor(settings))
    publisher.close()
    await db.client.close()


def ids(settings: IngestSettings) -> list[int]:
    return sorted(int(r[2].message.platform_message_id) for r in received(settings))


def test_rules_api_needs_the_admin_key_and_validates(settings: IngestSettings) -> None:
    with TestClient(ingest_app(settings, connect_database(settings, "test"))) as client:
        body = {"brand_account": "acmeshop", "brand_names": ["Acme Shop"], "handles": ["acmeshop"]}
        assert client.put("/v1/listening/rules/main", json=body).status_code == 401
        assert client.put("/v1/listening/rules/main", json=body,
                          headers={"X-API-Key": "dev-ingest-key"}).status_code == 401
        saved = client.put("/v1/listening/rules/main", json=body, headers=ADMIN)
        assert saved.status_code == 200
        assert saved.json()["query"] == '("Acme Shop" OR @acmeshop) -from:acmeshop -is:retweet'
        assert client.get("/v1/listening/rules", headers=ADMIN).json()[0]["id"] == "main"
        bad = client.put("/v1/listening/rules/main", json={"brand_account": "acmeshop"},
                         headers=ADMIN)
        assert bad.status_code == 422
        assert client.put("/v1/listening/rules/bad%20id", json=body,
                          headers=ADMIN).status_code == 422
        assert client.delete("/v1/listening/rules/main", headers=ADMIN).status_code == 204
        assert client.get("/v1/listening/rules/main", headers=ADMIN).status_code == 404


async def test_poller_pages_checkpoints_and_picks_up_rule_changes(
        poller: Poller, fake_x: FakeXSearch, settings: IngestSettings) -> None:
    for i in range(1, 26):
        fake_x.add_tweet(i, f"acme order {i} is late")
    fake_x.add_tweet(99, "acme: our own tweet", author_id="1000", username="acmeshop")
    rules = ListeningRules(brand_account="acmeshop", brand_names=["acme"],
                           brand_user_ids=["1000"])
    await poller.store.put("main", rules, "test")

    await poller.cycle()  # two pages of ten, newest first: the rest waits for the next cycle
    assert await asyncio.to_thread(ids, settings) == list(range(7, 26))
    assert (await poller.store.cursor("main", rules.query())).next_token is not None
    await poller.cycle()
    assert await asyncio.to_thread(ids, settings) == list(range(1, 26))
    cursor = await poller.store.cursor("main", rules.query())
    assert (cursor.since_id, cursor.next_token) == ("99", None)
    assert fake_x.requests[0]["expansions"] == "author_id"
    assert "user.fields" in fake_x.requests[0] and "since_id" not in fake_x.requests[0]

    fake_x.add_tweet(100, "acme again")
    fake_x.add_tweet(101, "the rocket skates broke")
    await poller.store.put("main", rules.model_copy(update={"product_keywords": ("rocket",)}),
                           "test")
    await poller.cycle()  # a new query starts afresh; already-published tweets are not re-sent
    assert fake_x.requests[-1]["query"].startswith("(acme OR rocket)")
    assert await asyncio.to_thread(ids, settings) == [*range(1, 26), 100, 101]


@pytest.mark.parametrize("status, body, words", [
    (503, b'{"title": "Service Unavailable"}', "503"),
    (200, b'{"data": [', "malformed JSON"),
    (200, b'{"data": [{"id": "1"}]}', "unusable search page"),
])
async def test_errors_and_bad_pages_are_retried_without_losing_tweets(
        poller: Poller, fake_x: FakeXSearch, settings: IngestSettings, status: int,
        body: bytes, words: str) -> None:
    fake_x.add_tweet(1, "acme where is my parcel")
    await poller.store.put("main", ListeningRules(brand_account="acmeshop",
                                                  brand_names=["acme"]), "test")
    fake_x.fail_next(status, body)
    with pytest.raises(SearchError) as info:
        await poller.cycle()
    assert words in str(info.value) and info.value.retry_after_s is None
    assert await asyncio.to_thread(ids, settings) == []
    await poller.cycle()
    assert await asyncio.to_thread(ids, settings) == [1]


async def test_rate_limit_waits_until_the_reset_time(
        poller: Poller, fake_x: FakeXSearch, settings: IngestSettings) -> None:
    fake_x.add_tweet(1, "acme where is my parcel")
    await poller.store.put("main", ListeningRules(brand_account="acmeshop",
                                                  brand_names=["acme"]), "test")
    reset = int(time.time()) + 3
    fake_x.fail_next(429, b'{"title": "Too Many Requests"}', x_rate_limit_reset=str(reset))
    stop = asyncio.Event()
    running = asyncio.create_task(poller.run(stop))
    try:
        while await asyncio.to_thread(ids, settings) != [1]:
            assert time.time() < reset + 10, "poller never retried"
        retried_at = time.time()
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
    assert len(fake_x.requests) == 2
    assert retried_at >= reset - 1  # not before X said the window resets
