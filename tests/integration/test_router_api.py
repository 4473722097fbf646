"""The inbox API over the real MongoDB server and Kafka: every route, role and error."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from socialcare_router.adapters.store import Store
from socialcare_router.views import encode_cursor
from tests.integration.router_helpers import (  # noqa: F401
    ADMIN,
    AGENT,
    AGENT2,
    RACERS,
    SUP,
    api,
    reply_sent,
    router,
    seed,
    store,
)

pytestmark = pytest.mark.integration


async def test_every_route_needs_a_known_key(api: httpx.AsyncClient) -> None:
    paths = api.inbox_app.openapi()["paths"]  # type: ignore[attr-defined]
    assert len(paths) > 20
    for template, operations in paths.items():
        path = template.replace("{", "").replace("}", "")
        for method in operations:
            for headers in ({}, {"X-API-Key": "nope"}):
                response = await api.request(method, path, headers=headers)
                assert response.status_code == 401, (method, path)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/v1/agents", None),
    ("PATCH", "/v1/agents/agent-b", {"capacity": 1}),
    ("PUT", "/v1/queues/vip", {"policy": "round_robin"}),
    ("DELETE", "/v1/queues/general", None),
    ("PUT", "/v1/routing-rules", {"rules": []}),
    ("GET", "/v1/routing-rules", None),
    ("PUT", "/v1/sla-policies/acme", {}),
    ("PUT", "/v1/saved-replies/thanks", {"title": "t", "text": "x"}),
])
async def test_agents_may_not_manage_and_change_nothing(
        api: httpx.AsyncClient, store: Store, method: str, path: str,
        body: dict | None) -> None:
    response = await api.request(method, path, headers=AGENT, json=body)
    assert response.status_code == 403 and "needs supervisor or admin" in response.text
    assert await store.config.routing_version() == 0
    assert await store.config.list_all("queues") == []
    assert await store.config.list_all("saved_replies") == []
    assert (await store.config.get("agents", "agent-b"))["capacity"] == 5


async def test_claims_beyond_an_agents_capacity_are_refused(api: httpx.AsyncClient,
                                                             store: Store) -> None:
    cids = await seed(store, 3)
    await store.config.update_agent("agent-a", {"capacity": 2})
    codes = [(await api.post(f"/v1/conversations/{cid}/claim", headers=AGENT)).status_code
             for cid in cids]
    assert codes == [200, 200, 409]
    assert (await store.get_conversation(cids[2]))["assignee"] is None
    assert (await store.config.get("agents", "agent-a"))["load"] == 2
    assert (await api.post(f"/v1/conversations/{cids[0]}/resolve",
                           headers=AGENT)).status_code == 200
    assert (await api.post(f"/v1/conversations/{cids[2]}/claim",
                           headers=AGENT)).status_code == 200
    assert (await store.config.get("agents", "agent-a"))["load"] == 2


async def test_concurrent_claims_have_exactly_one_winner(api: httpx.AsyncClient,
                                                         store: Store) -> None:
    [cid] = await seed(store)
    responses = await asyncio.gather(*(
        api.post(f"/v1/conversations/{cid}/claim", headers={"X-API-Key": f"k-racer{i}"})
        for i in range(RACERS)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (RACERS - 1)
    winner = next(r.json()["assignee"] for r in responses if r.status_code == 200)
    assert (await store.get_conversation(cid))["assignee"] == winner
    assert (await store.config.get("agents", winner))["load"] == 1


async def test_work_on_a_conversation_from_claim_to_reopen(api: httpx.AsyncClient,
                                                           store: Store) -> None:
    [cid] = await seed(store)
    url = f"/v1/conversations/{cid}"
    assert (await api.post(f"{url}/claim", headers=AGENT)).status_code == 200
    # Another agent may not touch it; a supervisor may.
    for action, body in (("release", None), ("resolve", None), ("tags", {"add": ["x"]}),
                         ("snooze", {"until": (datetime.now(UTC) + timedelta(hours=1))
                                     .isoformat()}),
                         ("transfer", {"queue": "escalations"}), ("replies", {"text": "me"})):
        assert (await api.post(f"{url}/{action}", headers=AGENT2, json=body)).status_code == 403
    # Only supervisors assign to a named agent, even the holder may not.
    assert (await api.post(f"{url}/transfer", headers=AGENT,
                           json={"agent_id": "agent-b"})).status_code == 403
    assert (await store.get_conversation(cid))["assignee"] == "agent-a"
    assert await store.replies.count_documents({}) == 0
    tagged = await api.post(f"{url}/tags", headers=AGENT, json={"add": ["shipping", "vip"]})
    assert sorted(tagged.json()["tags"]) == ["shipping", "vip"]
    untagged = await api.post(f"{url}/tags", headers=AGENT, json={"remove": ["vip"]})
    assert untagged.json()["tags"] == ["shipping"]
    note = await api.post(f"{url}/notes", headers=AGENT, json={"text": "called the courier"})
    assert note.status_code == 201
    mine = await api.get("/v1/me/conversations", headers=AGENT, params={"tag": "shipping"})
    assert [c["id"] for c in mine.json()["items"]] == [cid]
    assert (await api.get("/v1/me/conversations", headers=AGENT,
                          params={"tag": "vip"})).json()["items"] == []
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    snoozed = await api.post(f"{url}/snooze", headers=AGENT, json={"until": until})
    assert snoozed.json()["status"] == "waiting_on_customer"
    assert (await api.post(f"{url}/snooze", headers=AGENT,
                           json={"until": until})).status_code == 409
    moved = await api.post(f"{url}/transfer", headers=SUP, json={"agent_id": "agent-b"})
    assert moved.json()["assignee"] == "agent-b"
    assert (await store.config.get("agents", "agent-a"))["load"] == 0
    released = await api.post(f"{url}/release", headers=AGENT2)
    assert released.json()["assignee"] is None
    assert (await api.post(f"{url}/release", headers=AGENT2)).status_code == 409
    resolved = await api.post(f"{url}/resolve", headers=AGENT)
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]
    assert (await api.post(f"{url}/resolve", headers=AGENT)).status_code == 409
    assert (await api.post(f"{url}/claim", headers=AGENT)).status_code == 409
    reopened = await api.post(f"{url}/reopen", headers=AGENT)
    assert reopened.json()["status"] == "open"
    detail = (await api.get(url, headers=AGENT)).json()
    assert [n["text"] for n in detail["notes"]] == ["called the courier"]


async def test_bad_requests_get_a_reason_and_change_nothing(api: httpx.AsyncClient,
                                                            store: Store) -> None:
    [cid] = await seed(store)
    url = f"/v1/conversations/{cid}"
    before = await store.get_conversation(cid)
    cases = [
        ("/v1/conversations/nope/claim", None, 404),
        (f"{url}/transfer", {}, 422),
        (f"{url}/transfer", {"queue": "no-such-queue"}, 422),
        (f"{url}/transfer", {"agent_id": "ghost"}, 422),
        (f"{url}/tags", {"add": ["bad\ntag"]}, 422),
        (f"{url}/snooze", {"until": "2020-01-01T00:00:00Z"}, 422),
        (f"{url}/snooze", {"until": "2030-01-01T00:00:00"}, 422),
        (f"{url}/snooze", {"until": (datetime.now(UTC) + timedelta(days=91)).isoformat()}, 422),
        (f"{url}/notes", {"text": ""}, 422),
        (f"{url}/replies", {}, 422),
        (f"{url}/replies", {"text": "hi", "saved_reply": "x"}, 422),
        (f"{url}/replies", {"saved_reply": "missing"}, 422),
        (f"{url}/reopen", None, 409),
    ]
    for path, body, code in cases:
        response = await api.post(path, headers=AGENT, json=body)
        assert response.status_code == code, (path, body, response.text)
        assert response.json()["detail"]
    assert (await api.get("/v1/queues/general/conversations", headers=AGENT,
                          params={"after": "garbage"})).status_code == 400
    # A cursor is only good for the order it was made in.
    by_due = encode_cursor(datetime.now(UTC), cid)
    for params, code in (({"after": by_due, "sort": "priority"}, 400),
                         ({"after": by_due, "sort": "due"}, 200), ({"sort": "urgency"}, 422)):
        assert (await api.get("/v1/queues/general/conversations", headers=AGENT,
                              params=params)).status_code == code, params
    after = await store.get_conversation(cid)
    assert {k: v for k, v in after.items() if k != "updated_at"} == \
        {k: v for k, v in before.items() if k != "updated_at"}
    assert await store.replies.count_documents({}) == 0


async def test_saved_reply_fills_customer_agent_and_order_details(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    await store.conversations.update_one({"_id": cid}, {"$set": {"customer.handle": "dana_r"}})
    text = "Hi {customer_name}, order {order_number} ships today: {link} {agent_initials}"
    put = await api.put("/v1/saved-replies/ships", headers=SUP,
                        json={"title": "Ships today", "text": text})
    assert put.status_code == 200
    variables = await api.get("/v1/saved-replies/ships/variables", headers=AGENT)
    assert variables.json()["variables"] == ["customer_name", "order_number", "link",
                                             "agent_initials"]
    missing = await api.post(f"/v1/conversations/{cid}/replies", headers=AGENT,
                             json={"saved_reply": "ships", "variables": {"link": "x"}})
    assert missing.status_code == 422 and "order_number" in missing.json()["detail"]
    sent = await api.post(f"/v1/conversations/{cid}/replies", headers=AGENT,
                          json={"saved_reply": "ships", "kind": "direct",
                                "variables": {"order_number": "A-17", "link": "https://t.co/1"}})
    assert sent.status_code == 202 and sent.json()["status"] == "requested"
    reply = await store.get_reply(sent.json()["reply_id"])
    assert reply["text"] == "Hi dana_r, order A-17 ships today: https://t.co/1 ^JJ"
    assert reply["saved_reply"] == "ships" and reply["kind"] == "direct"
    keyed = {**AGENT, "Idempotency-Key": "k-1"}
    first = await api.post(f"/v1/conversations/{cid}/replies", headers=keyed,
                           json={"text": "On it"})
    assert first.status_code == 202
    again = await api.post(f"/v1/conversations/{cid}/replies", headers=keyed,
                           json={"text": "On it"})
    assert again.status_code == 202 and again.json()["reply_id"] == first.json()["reply_id"]
    for other in ({"text": "On it", "kind": "direct"}, {"text": "On it", "media_ids": ["m1"]},
                  {"text": "On it!"}):
        refused = await api.post(f"/v1/conversations/{cid}/replies", headers=keyed, json=other)
        assert refused.status_code == 409, other
    assert await store.replies.count_documents({}) == 2


async def test_supervisors_manage_agents_queues_policies(api: httpx.AsyncClient,
                                                         store: Store) -> None:
    agents = (await api.get("/v1/agents", headers=SUP)).json()
    assert {a["id"] for a in agents} >= {"agent-a", "agent-b", "sup", "admin"}
    patched = await api.patch("/v1/agents/agent-a", headers=SUP, json={
        "capacity": 3, "skills": {"languages": ["en", "es"], "intents": [], "platforms": []}})
    assert patched.json()["capacity"] == 3 and patched.json()["skills"]["languages"] == ["en", "es"]
    assert (await api.patch("/v1/agents/ghost", headers=SUP, json={})).status_code == 404
    assert (await api.patch("/v1/agents/agent-a", headers=SUP,
                            json={"capacity": -1})).status_code == 422
    assert (await api.put("/v1/queues/vip", headers=SUP,
                          json={"policy": "telepathy"})).status_code == 422
    put = await api.put("/v1/queues/vip", headers=ADMIN,
                        json={"policy": "round_robin", "agents": ["agent-a"]})
    assert put.status_code == 200 and await store.config.routing_version() == 1
    assert (await api.get("/v1/queues/vip", headers=SUP)).json()["policy"] == "round_robin"
    assert (await api.get("/v1/queues/none", headers=SUP)).status_code == 404
    for bad in ({"timezone": "Mars/Olympus"}, {"weekly": {"mon": ["17:00", "09:00"]}},
                {"weekly": {"funday": ["09:00", "17:00"]}}, {"in_hours_minutes": 0}):
        response = await api.put("/v1/sla-policies/acme", headers=SUP, json=bad)
        assert response.status_code == 422, bad
    ok = await api.put("/v1/sla-policies/acme", headers=SUP, json={
        "timezone": "Europe/Madrid", "weekly": {"sat": ["10:00", "14:00"]},
        "holidays": ["2026-12-25"], "in_hours_minutes": 30})
    assert ok.status_code == 200 and ok.json()["weekly"] == {"sat": ["10:00:00", "14:00:00"]}
    assert await store.config.routing_version() == 2
    assert (await api.delete("/v1/queues/vip", headers=SUP)).status_code == 204
    assert (await api.delete("/v1/queues/vip", headers=SUP)).status_code == 404


async def test_rules_are_versioned_and_refuse_lost_updates(api: httpx.AsyncClient) -> None:
    rules = {"rules": [{"id": "es", "queue": "spanish", "when": {"languages": ["es"]}}]}
    first = await api.put("/v1/routing-rules", headers=SUP, json=rules)
    assert first.status_code == 200 and first.json()["version"] == 1
    second = await api.put("/v1/routing-rules", headers=SUP,
                           json={**rules, "expected_version": 1})
    assert second.json()["version"] == 2
    stale = await api.put("/v1/routing-rules", headers=SUP, json={**rules, "expected_version": 1})
    assert stale.status_code == 409
    duplicate = {"rules": rules["rules"] * 2}
    assert (await api.put("/v1/routing-rules", headers=SUP, json=duplicate)).status_code == 422
    assert (await api.get("/v1/routing-rules", headers=SUP)).json()["version"] == 2


async def test_going_offline_returns_unanswered_work(api: httpx.AsyncClient,
                                                     store: Store) -> None:
    answered, waiting = await seed(store, 2)
    for cid in (answered, waiting):
        assert (await api.post(f"/v1/conversations/{cid}/claim", headers=AGENT)).status_code == 200
    await reply_sent(router(store), store, answered, datetime.now(UTC))
    offline = await api.put("/v1/me/presence", headers=AGENT, json={"presence": "offline"})
    assert offline.json()["presence"] == "offline" and offline.json()["load"] == 1
    assert (await store.get_conversation(waiting))["assignee"] is None
    assert (await store.get_conversation(answered))["assignee"] == "agent-a"
    assert (await api.put("/v1/me/presence", headers=AGENT,
                          json={"presence": "asleep"})).status_code == 422


async def test_reports_in_json_and_csv_for_supervisors_only(api: httpx.AsyncClient,
                                                            store: Store) -> None:
    cids = await seed(store, 3)
    await reply_sent(router(store), store, cids[0], datetime(2026, 11, 24, 15, 20, tzinfo=UTC))
    period = {"start": "2026-11-24T00:00:00Z", "end": "2026-11-25T00:00:00Z"}
    assert (await api.get("/v1/reports", headers=AGENT, params=period)).status_code == 403
    report = (await api.get("/v1/reports", headers=SUP, params=period)).json()
    assert report["overall"]["conversations"] == 3
    assert report["overall"]["first_response_median_s"] == 20 * 60
    assert report["overall"]["answered_within_1h"] == pytest.approx(1 / 3)
    csv_text = (await api.get("/v1/reports", headers=SUP,
                              params={**period, "format": "csv"})).text
    assert csv_text.splitlines()[0] == "section,key,metric,value"
    assert "overall,,conversations,3" in csv_text
    empty = await api.get("/v1/reports", headers=SUP, params={
        "start": "2026-11-25T00:00:00Z", "end": "2026-11-26T00:00:00Z"})
    assert empty.json()["overall"]["conversations"] == 0
    for bad in ({**period, "end": period["start"]}, {**period, "timezone": "Nowhere/X"},
                {**period, "start": "2026-11-24T00:00:00"}, {**period, "format": "xml"}):
        assert (await api.get("/v1/reports", headers=SUP, params=bad)).status_code == 422, bad


async def test_live_feed_streams_changes_and_drops_clients_that_fall_behind(
        api: httpx.AsyncClient, store: Store) -> None:
    live = api.inbox_app.state.live  # type: ignore[attr-defined]
    cid, other = await seed(store, 2)
    watcher = live.subscribe("general")
    elsewhere = live.subscribe("vip")
    assert (await api.post(f"/v1/conversations/{cid}/claim", headers=AGENT)).status_code == 200
    update = await asyncio.wait_for(watcher.events.get(), 15)
    assert (update.conversation_id, update.change) == (cid, "claimed")
    assert elsewhere.events.empty()
    # A client whose bounded queue is full is cut off with an overflow marker.
    live.client_queue = 1
    slow = live.subscribe(None)
    for action in ("claim", "release", "claim"):
        await api.post(f"/v1/conversations/{other}/{action}", headers=AGENT)
    frames = [frame async for frame in live.stream(slow)]
    assert frames[-1].startswith("event: overflow") and slow not in live.clients
    assert len(frames) <= 2


async def test_control_characters_are_refused_before_anything_is_stored(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    for path, body in (("replies", {"text": "hi\x00there"}), ("notes", {"text": "a\x07b"}),
                       ("replies", {"saved_reply": "late", "variables": {"x": "\x00"}})):
        response = await api.post(f"/v1/conversations/{cid}/{path}", json=body,
                                  headers=SUP)
        assert response.status_code == 422, (path, response.text)
    assert await store.replies_of(cid) == [] and await store.work.notes_of(cid) == []


async def test_variables_typed_in_a_free_text_reply_are_filled_or_refused(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    preview = await api.post(f"/v1/conversations/{cid}/replies/preview",
                             json={"text": "{agent_name} here, on it"}, headers=SUP)
    assert preview.json()["text"].startswith("Alex Kim here, on it")
    refused = await api.post(f"/v1/conversations/{cid}/replies",
                             json={"text": "Your order {order_number} ships today"},
                             headers=SUP)
    assert refused.status_code == 422 and "order_number" in refused.text
    assert await store.replies_of(cid) == []
