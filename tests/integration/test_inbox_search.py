"""Inbox search through the API, over the real MongoDB-protocol server and Kafka: words,
word starts and handles found across conversations, only in the caller's brands; bad
queries refused, long ones cut to their first words; a message stored after the API
started found once Kafka told of it."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from socialcare_contracts import topics
from socialcare_contracts.events import MessageClassified, ReplySent
from socialcare_contracts.messages import Author
from socialcare_router.adapters.store import Store
from socialcare_router.settings import InboxUser
from socialcare_runtime.publisher import EventPublisher, Outgoing
from tests.integration.router_helpers import (
    T0,
    classified,
    inbox_api,
    reply_sent,
    route,
    router,
    store,  # noqa: F401
)
from tests.waiting import eventually_async

pytestmark = pytest.mark.integration

USERS = {
    "k-acme": InboxUser(id="a1", name="Jamie Jones", role="agent", brands=["acme"]),
    "k-globex": InboxUser(id="g1", name="Sam Lee", role="agent", brands=["globex"]),
    "k-sup": InboxUser(id="sup", name="Alex Kim", role="supervisor"),
}
ACME, GLOBEX, SUP = ({"X-API-Key": k} for k in USERS)


def said(mid: str, text: str, brand: str = "acme", handle: str | None = None,
         at: datetime = T0) -> MessageClassified:
    """A classified customer message with its own words, brand and author."""
    base = classified(mid, author=f"author-{mid}", at=at)
    message = base.message.model_copy(update={
        "text": text, "brand_account": brand, "author": Author(id=f"author-{mid}", handle=handle)})
    return base.model_copy(update={"message": message})


@pytest.fixture
async def api(store: Store, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    async with inbox_api(store, kafka_bootstrap, USERS) as client:
        yield client


async def found(api: httpx.AsyncClient, q: str, who: dict[str, str]) -> list[str]:
    answer = await api.get("/v1/search", params={"q": q}, headers=who)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


async def test_words_starts_and_handles_are_found_only_in_the_callers_brands(
        store: Store, kafka_bootstrap: str) -> None:
    r = router(store)
    blender = (await route(r, said("m1", "I want a Refund for my broken blender", handle="dana"),
                           "e1")).conversation_id
    parcel = (await route(r, said("m2", "Where is my parcel?", handle="lee"),
                          "e2")).conversation_id
    globex = (await route(r, said("m3", "refund please, the kettle leaks", brand="globex",
                                  at=T0 + timedelta(minutes=5)), "e3")).conversation_id
    # Stored before the API starts: the index is built from MongoDB at start.
    async with inbox_api(store, kafka_bootstrap, USERS) as api:
        answer = (await api.get("/v1/search", params={"q": "REFUND blender"},
                                headers=ACME)).json()
        [hit] = answer["items"]
        assert (hit["id"], hit["brand_account"], hit["platform"], hit["status"],
                hit["customer_handle"]) == (blender, "acme", "x", "open", "dana")
        assert hit["snippet"] == "I want a Refund for my broken blender"
        assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["Refund", "blender"]
        assert hit["message_at"].startswith("2026-11-24T15:00:00")
        assert await found(api, "dana", ACME) == [blender]
        assert await found(api, "parcel", ACME) == [parcel]
        assert await found(api, "kettle", ACME) == []
        assert await found(api, "refund", GLOBEX) == [globex]
        assert await found(api, "refund", SUP) == [globex, blender]  # newest first
        limited = await api.get("/v1/search", params={"q": "refund", "limit": 1}, headers=SUP)
        assert [i["id"] for i in limited.json()["items"]] == [globex]
        if api.inbox_app.state.search.backend == "sqlite-fts5":  # type: ignore[attr-defined]
            assert await found(api, "refun blend", ACME) == [blender]
            assert await found(api, "dan", ACME) == [blender]


async def test_bad_queries_and_unknown_callers_are_refused(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/search", params={"q": "refund"})).status_code == 401
    for params, reason in (({"q": ""}, "at least 1 character"), ({}, "Field required"),
                           ({"q": "a" * 201}, "at most 200 characters"),
                           ({"q": "refund", "limit": 101}, "less than or equal to 100")):
        answer = await api.get("/v1/search", params=params, headers=ACME)
        assert answer.status_code == 422 and reason in answer.text, answer.text
    # No letter or digit: nothing to look for, so nothing found.
    assert (await api.get("/v1/search", params={"q": "!! ??"}, headers=ACME)).json() == {
        "words": [], "items": []}
    many = await api.get("/v1/search", params={"q": "Über ALLES a b c d e f g h"}, headers=ACME)
    assert many.json()["words"] == ["uber", "alles", "a", "b", "c", "d", "e", "f"]


async def test_messages_stored_after_start_become_searchable(
        api: httpx.AsyncClient, store: Store, kafka_bootstrap: str) -> None:
    settings = api.inbox_app.state.settings  # type: ignore[attr-defined]
    publisher = EventPublisher.connect(kafka_bootstrap, f"test-{uuid.uuid4().hex[:6]}",
                                       warm_topic=None)
    try:
        late = said("m9", "The courier left my sofa in the rain", handle="ro")
        # Kafka carries the event before the router has stored the message: the index waits
        # for MongoDB to hold it.
        await publisher.publish([Outgoing(settings.topic(topics.MESSAGES_CLASSIFIED), "k", late)])
        assert await found(api, "courier", ACME) == []
        r = router(store)
        conversation = (await route(r, late, "e9")).conversation_id

        async def searchable(q: str) -> list[str]:
            return await found(api, q, ACME)
        assert await eventually_async(lambda: searchable("sofa rain"),
                                      "the stored message is found") == [conversation]
        await reply_sent(r, store, conversation, T0 + timedelta(minutes=3))
        await publisher.publish([Outgoing(settings.topic(topics.REPLIES_SENT), conversation,
                                          ReplySent(reply_id="r1", conversation_id=conversation,
                                                    platform="x", platform_message_id="p-r1",
                                                    requested_at=T0, sent_at=T0))])
        # The agent's reply ("hi") is indexed as a message of the conversation too.
        assert await eventually_async(lambda: searchable("hi"),
                                      "the agent's reply is found") == [conversation]
        assert await found(api, "sofa", GLOBEX) == []
    finally:
        publisher.close()
