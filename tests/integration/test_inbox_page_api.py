"""The routes the web inbox adds, over the real MongoDB server and Kafka: me, preview, overview."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import httpx
import pytest

from socialcare_router.adapters.store import Store
from tests.integration.router_helpers import AGENT, AGENT2, SUP, api, seed, store  # noqa: F401

pytestmark = pytest.mark.integration


async def test_me_names_the_caller_and_role(api: httpx.AsyncClient) -> None:
    me = (await api.get("/v1/me", headers=AGENT)).json()
    assert (me["id"], me["name"], me["role"]) == ("agent-a", "Jamie Jones", "agent")
    assert me["presence"] == "online"
    assert (await api.get("/v1/me", headers=SUP)).json()["role"] == "supervisor"


async def test_the_page_is_served_with_strict_headers(api: httpx.AsyncClient) -> None:
    page = await api.get("/inbox/")
    assert page.status_code == 200
    assert "<title>SocialCare inbox</title>" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    # Customers' photos load from the platforms' media hosts, and from nowhere else.
    images = next(d for d in policy.split("; ") if d.startswith("img-src")).split()[1:]
    assert "https://pbs.twimg.com" in images and "https://*.fbcdn.net" in images
    assert not {"https:", "*", "http:"} & set(images)
    script = await api.get("/inbox/js/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert (await api.get("/", follow_redirects=False)).headers["location"] == "/inbox/"


async def test_preview_counts_as_the_platform_does_and_fills_saved_replies(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    emoji = await api.post(f"/v1/conversations/{cid}/replies/preview", headers=AGENT,
                           json={"text": "thanks 🙏 https://example.com/a/very/long/path"})
    body = emoji.json()
    # X counts an emoji 2 and any URL 23: 7 + 2 + 1 + 23.
    assert (body["length"], body["limit"], body["counting"]) == (33, 280, "weighted")
    assert body["parts"] == [body["text"]] and not body["too_long"]
    assert (await api.put("/v1/saved-replies/late", headers=SUP, json={
        "title": "Late", "text": "Sorry {customer_name}, order {order_number} {agent_initials}"
    })).status_code == 200
    missing = (await api.post(f"/v1/conversations/{cid}/replies/preview", headers=AGENT,
                              json={"saved_reply": "late"})).json()
    # The seeded customer has no handle or name: the agent must give one, as for a send.
    assert missing["missing_variables"] == ["customer_name", "order_number"]
    assert "{order_number}" in missing["text"]
    filled = (await api.post(f"/v1/conversations/{cid}/replies/preview", headers=AGENT, json={
        "saved_reply": "late", "variables": {"customer_name": "Dana", "order_number": "A-77"}})
    ).json()
    assert filled["text"] == "Sorry Dana, order A-77 ^JJ" and filled["missing_variables"] == []
    long = (await api.post(f"/v1/conversations/{cid}/replies/preview", headers=AGENT,
                           json={"text": "word " * 100})).json()
    assert long["length"] > 280 and len(long["parts"]) == 2 and not long["too_long"]
    as_dm = (await api.post(f"/v1/conversations/{cid}/replies/preview", headers=AGENT,
                            json={"text": "word " * 100, "kind": "direct"})).json()
    assert as_dm["limit"] == 10_000 and as_dm["parts"] == [as_dm["text"]]
    unknown = await api.post(f"/v1/conversations/{cid}/replies/preview", headers=AGENT,
                             json={"saved_reply": "nope"})
    assert unknown.status_code == 422


async def test_lists_carry_first_words_and_detail_the_assignment_history(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    page = (await api.get("/v1/queues/general/conversations", headers=AGENT)).json()
    assert page["items"][0]["first_words"] == "my order is late"
    assert (await api.get("/v1/queues/general/conversations?language=fr",
                          headers=AGENT)).json()["items"] == []
    assert (await api.post(f"/v1/conversations/{cid}/claim", headers=AGENT)).status_code == 200
    # Changed with the permission rules: only supervisors assign work to a named agent.
    assert (await api.post(f"/v1/conversations/{cid}/transfer", headers=AGENT,
                           json={"agent_id": "agent-b"})).status_code == 403
    assert (await api.post(f"/v1/conversations/{cid}/transfer", headers=SUP,
                           json={"agent_id": "agent-b"})).status_code == 200
    assert (await api.post(f"/v1/conversations/{cid}/release", headers=AGENT2)).status_code \
        == 200
    history = (await api.get(f"/v1/conversations/{cid}", headers=AGENT)).json()["history"]
    assert [(h["action"], h["agent_id"]) for h in history] == [
        ("claimed", "agent-a"), ("transferred", "agent-b"), ("released", "agent-b")]


async def test_queue_overview_counts_open_and_unassigned_work(
        api: httpx.AsyncClient, store: Store) -> None:
    first, _ = await seed(store, 2)
    await api.post(f"/v1/conversations/{first}/claim", headers=AGENT)
    rows = {r["queue"]: r for r in (await api.get("/v1/queue-overview", headers=AGENT)).json()}
    assert rows["general"] == {"queue": "general", "open": 2, "unassigned": 1, "at_risk": 0,
                               "breached": 0}
    assert rows["escalations"]["open"] == 0


async def test_listening_keywords_are_for_supervisors_only(api: httpx.AsyncClient) -> None:
    for method, path in (("GET", "/v1/listening-rules"), ("PUT", "/v1/listening-rules/acme"),
                         ("DELETE", "/v1/listening-rules/acme")):
        response = await api.request(method, path, headers=AGENT, json={})
        assert response.status_code == 403, (method, path)
