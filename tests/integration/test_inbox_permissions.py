"""The whole permission matrix through the inbox API: every action on a conversation held by
one agent, by its owner, another agent of the brand, a supervisor of the brand, a
supervisor of another brand, an admin, and no key; a refused request changes nothing."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

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
    "k-admin": InboxUser(id="root", name="Root", role="admin", brands=["globex"]),
}
WHO = ("owner", "other", "sup", "globex", "admin", "nobody")

# action -> (method, path, body, {who: status})
MATRIX: dict[str, tuple[str, str, dict | None, tuple[int, ...]]] = {
    "read": ("GET", "", None, (200, 200, 200, 404, 200, 401)),
    "claim": ("POST", "/claim", None, (409, 409, 409, 404, 409, 401)),
    "note": ("POST", "/notes", {"text": "called them"}, (201, 201, 201, 404, 201, 401)),
    "release": ("POST", "/release", None, (200, 403, 200, 404, 200, 401)),
    "transfer": ("POST", "/transfer", {"queue": "escalations"},
                 (200, 403, 200, 404, 200, 401)),
    "assign": ("POST", "/transfer", {"agent_id": "other"}, (403, 403, 200, 404, 200, 401)),
    "tag": ("POST", "/tags", {"add": ["vip"]}, (200, 403, 200, 404, 200, 401)),
    "snooze": ("POST", "/snooze", {"until": "tomorrow"}, (200, 403, 200, 404, 200, 401)),
    "resolve": ("POST", "/resolve", None, (200, 403, 200, 404, 200, 401)),
    "reply": ("POST", "/replies", {"text": "On it!"}, (202, 403, 202, 404, 202, 401)),
    # A resolved conversation has no holder: any agent of the brand may reopen it.
    "reopen": ("POST", "/reopen", None, (200, 200, 200, 404, 200, 401)),
}


@pytest.fixture
async def api(store: Store, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:  # noqa: F811
    async with inbox_api(store, kafka_bootstrap, USERS) as client:
        yield client


async def test_every_action_by_every_kind_of_caller(api: httpx.AsyncClient,
                                                    store: Store) -> None:  # noqa: F811
    owner = Actor("owner", "agent", frozenset({"acme"}))
    service = inbox(store)
    await store.config.update_agent("owner", {"capacity": 1000})  # holds every conversation
    conversation_ids = iter(await seed(store, len(MATRIX) * len(WHO)))
    outcomes = {}
    for action, (method, path, body, _) in MATRIX.items():
        for who in WHO:
            cid = next(conversation_ids)
            await service.claim(owner, cid)
            if action == "reopen":
                await service.resolve(owner, cid)
            before = (await store.repository.get(cid)).version
            headers = {} if who == "nobody" else {"X-API-Key": f"k-{who}"}
            if body == {"until": "tomorrow"}:
                body = {"until": (datetime.now(UTC) + timedelta(days=1)).isoformat()}
            response = await api.request(method, f"/v1/conversations/{cid}{path}",
                                         json=body, headers=headers)
            outcomes[(action, who)] = response.status_code
            if response.status_code >= 400:
                assert (await store.repository.get(cid)).version == before, (action, who)
    wanted = {(action, who): status for action, (_, _, _, expected) in MATRIX.items()
              for who, status in zip(WHO, expected, strict=True)}
    assert outcomes == wanted


async def test_lists_and_reports_show_only_the_callers_brands(
        api: httpx.AsyncClient, store: Store) -> None:  # noqa: F811
    await seed(store, 2)
    mine = await api.get("/v1/queues/general/conversations", headers={"X-API-Key": "k-sup"})
    theirs = await api.get("/v1/queues/general/conversations",
                           headers={"X-API-Key": "k-globex"})
    assert (len(mine.json()["items"]), len(theirs.json()["items"])) == (2, 0)
    period = {"start": "2026-01-01T00:00:00Z", "end": "2026-12-31T00:00:00Z"}
    assert (await api.get("/v1/reports", params=period, headers={"X-API-Key": "k-sup"})
            ).json()["overall"]["conversations"] == 2
    assert (await api.get("/v1/reports", params=period, headers={"X-API-Key": "k-globex"})
            ).json()["overall"]["conversations"] == 0
