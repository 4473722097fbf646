"""One customer across channels, and customers' attachments, through the inbox API over the
real MongoDB server and Kafka: link, merge, unlink, who may, and what the thread shows."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from socialcare_contracts import cloudevents
from socialcare_contracts.events import MessageClassified
from socialcare_contracts.messages import NormalizedMessage
from socialcare_router.adapters.people import PeopleRepository
from socialcare_router.adapters.store import Store
from socialcare_router.domain.people import Identity
from socialcare_router.settings import InboxUser
from tests.integration.router_helpers import (  # noqa: F401
    T0,
    classified,
    inbox_api,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration

USERS = {
    "k-agent": InboxUser(id="agent-a", name="Jamie Jones", role="agent", brands=["acme"]),
    "k-sup": InboxUser(id="sup", name="Alex Kim", role="supervisor", brands=["acme"]),
    "k-globex": InboxUser(id="agent-g", name="Pat Doe", role="agent", brands=["globex"]),
}
AGENT, SUP, GLOBEX = ({"X-API-Key": k} for k in ("k-agent", "k-sup", "k-globex"))


@pytest.fixture
async def api(store: Store, kafka_bootstrap: str) -> AsyncIterator[httpx.AsyncClient]:
    async with inbox_api(store, kafka_bootstrap, USERS) as client:
        yield client


def message_on(platform: str, mid: str, customer: str, hours: float = 0,
               brand: str = "acme", **changes: object) -> MessageClassified:
    """A classified customer message on ``platform``, ``hours`` after T0."""
    base = classified(mid, at=T0 + timedelta(hours=hours))
    message = NormalizedMessage(**{**base.message.model_dump(), "platform": platform,
                                   "brand_account": brand, **changes,
                                   "author": {"id": customer, "handle": f"{customer}_{platform}"}})
    return MessageClassified(message=message, classification=base.classification)


async def conversation(store: Store, platform: str, mid: str, customer: str,
                       hours: float = 0, brand: str = "acme") -> str:
    """The conversation a customer's message on ``platform`` opens."""
    routed = await route(router(store), message_on(platform, mid, customer, hours, brand),
                         f"e-{mid}")
    return routed.conversation_id


def by(cid: str) -> dict:
    return {"conversation_id": cid}


async def link(api: httpx.AsyncClient, a: dict, b: dict,
               headers: dict = AGENT) -> httpx.Response:
    return await api.post("/v1/people/links", json={"identities": [a, b]}, headers=headers)


async def person(api: httpx.AsyncClient, cid: str, headers: dict = AGENT) -> dict:
    response = await api.get(f"/v1/people/of/{cid}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def platforms(found: dict) -> list[str]:
    return sorted(i["platform"] for i in found["identities"])


async def test_linked_identities_share_one_history_newest_first(
        api: httpx.AsyncClient, store: Store) -> None:
    # The same customer's earlier conversation on X, beyond the threading window.
    earlier = await conversation(store, "x", "m0", "dana", hours=-72)
    on_x = await conversation(store, "x", "m1", "dana")
    assert earlier != on_x
    on_instagram = await conversation(store, "instagram", "ig1", "dana.ig", hours=1)
    alone = await person(api, on_x)
    assert alone["id"] is None and platforms(alone) == ["x"]
    assert [c["id"] for c in alone["conversations"]] == [on_x, earlier]

    linked = await link(api, by(on_x), by(on_instagram))
    assert linked.status_code == 200, linked.text
    person_id = linked.json()["id"]
    for cid in (on_x, on_instagram):
        found = await person(api, cid)
        assert found["id"] == person_id and platforms(found) == ["instagram", "x"]
        assert {i["handle"] for i in found["identities"]} == {"dana_x", "dana.ig_instagram"}
        assert [c["id"] for c in found["conversations"]] == [on_instagram, on_x, earlier]
        assert found["conversations"][0]["first_words"] == "my order is late"
    audit = await store.audit.read(None, on_instagram, None, 10)
    assert [(e["action"], e["actor_id"], e["target"]) for e in audit] == \
        [("link", "agent-a", person_id)]


async def test_linking_again_changes_nothing_and_a_raw_identity_names_the_same_customer(
        api: httpx.AsyncClient, store: Store) -> None:
    on_x = await conversation(store, "x", "m1", "dana")
    on_instagram = await conversation(store, "instagram", "ig1", "dana.ig")
    first = (await link(api, by(on_x), by(on_instagram))).json()
    again = await link(api, {"platform": "instagram", "brand_account": "acme",
                             "customer_id": "dana.ig"}, by(on_x), headers=SUP)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert again.json()["merged"] == []
    assert len(await store.audit.read(None, on_x, None, 10)) == 1  # the repeat did nothing
    assert platforms(await person(api, on_x)) == ["instagram", "x"]


async def test_linking_identities_of_two_people_merges_them(
        api: httpx.AsyncClient, store: Store) -> None:
    x, ig = (await conversation(store, "x", "m1", "dana"),
             await conversation(store, "instagram", "ig1", "dana.ig", hours=1))
    fb, x2 = (await conversation(store, "facebook", "fb1", "dana.fb", hours=2),
              await conversation(store, "x", "m2", "dana2", hours=3))
    one = (await link(api, by(x), by(ig))).json()["id"]
    other = (await link(api, by(fb), by(x2))).json()["id"]
    assert one != other
    merged = await link(api, by(ig), by(fb))
    assert merged.status_code == 200, merged.text
    kept, absorbed = merged.json()["id"], merged.json()["merged"]
    assert {kept, *absorbed} == {one, other} and len(absorbed) == 1
    for cid in (x, ig, fb, x2):
        found = await person(api, cid)
        assert found["id"] == kept, cid
        assert [c["id"] for c in found["conversations"]] == [x2, fb, ig, x]
    # Linking any two of them again is a no-op: one person already.
    assert (await link(api, by(x), by(x2))).json()["merged"] == []


async def test_other_brands_and_bad_requests_are_refused_with_a_reason(
        api: httpx.AsyncClient, store: Store) -> None:
    x = await conversation(store, "x", "m1", "dana")
    ig = await conversation(store, "instagram", "ig1", "dana.ig")
    theirs = await conversation(store, "x", "g1", "gus", brand="globex")
    refused = await link(api, by(x), by(ig), headers=GLOBEX)
    assert refused.status_code == 403 and "acme" in refused.json()["detail"]
    assert (await link(api, by(x), by(theirs))).status_code == 403
    assert (await link(api, by(x), {"platform": "x", "brand_account": "globex",
                                    "customer_id": "gus"})).status_code == 403
    assert (await api.get(f"/v1/people/of/{x}", headers=GLOBEX)).status_code == 404
    unknown = await link(api, by(x), by("c_nope"))
    assert unknown.status_code == 404 and "c_nope" in unknown.json()["detail"]
    assert (await link(api, by(x), {"platform": "x", "brand_account": "acme",
                                    "customer_id": "nobody"})).status_code == 404
    itself = await link(api, by(x), {"platform": "x", "brand_account": "acme",
                                     "customer_id": "dana"})
    assert itself.status_code == 200 and itself.json()["id"] is None  # one customer already
    for body in ({"identities": [by(x)]},
                 {"identities": [by(x), {**by(ig), "platform": "x"}]},
                 {"identities": [by(x), {"platform": "x", "brand_account": "acme"}]},
                 {"identities": [by(x), {"conversation_id": None, "platform": "x"}]}):
        bad = await api.post("/v1/people/links", json=body, headers=AGENT)
        assert bad.status_code == 422, body
    assert await store.db.people.count_documents({}) == 0  # nothing refused was stored


async def test_concurrent_links_of_overlapping_identities_end_as_one_person(
        store: Store) -> None:
    # No transactions: every step is a conditional single-document write, and a link that
    # lost a race reads again. Whatever the interleaving, one person holds them all and
    # every identity's lookup names it.
    people = PeopleRepository(store.db)
    customer = [Identity("x", "acme", f"u{i}") for i in range(6)]
    pairs = [(customer[i], customer[(i + step) % 6]) for step in (1, 2) for i in range(6)]
    await asyncio.gather(*(people.link(a, b, T0) for a, b in pairs))
    found = {(await people.person_of(i))[0] for i in customer}
    assert len(found) == 1
    [person] = found
    assert person is not None and sorted(i.key for i in person.identities) == \
        sorted(i.key for i in customer)
    lookups = await store.db.person_of_identity.find({}).to_list()
    assert {d["person_id"] for d in lookups} == {person.id} and len(lookups) == 6


async def test_unlinking_takes_an_identity_out_and_dissolves_a_pair(
        api: httpx.AsyncClient, store: Store) -> None:
    x = await conversation(store, "x", "m1", "dana")
    ig = await conversation(store, "instagram", "ig1", "dana.ig", hours=1)
    fb = await conversation(store, "facebook", "fb1", "dana.fb", hours=2)
    await link(api, by(x), by(ig))
    person_id = (await link(api, by(ig), by(fb))).json()["id"]
    assert (await api.delete(f"/v1/people/{person_id}/identities/x/acme/dana",
                             headers=GLOBEX)).status_code == 403
    left = await api.delete(f"/v1/people/{person_id}/identities/facebook/acme/dana.fb",
                            headers=AGENT)
    assert left.status_code == 200 and platforms(left.json()) == ["instagram", "x"]
    assert (await person(api, fb))["id"] is None
    assert [c["id"] for c in (await person(api, x))["conversations"]] == [ig, x]
    assert (await api.delete(f"/v1/people/{person_id}/identities/facebook/acme/dana.fb",
                             headers=AGENT)).status_code == 404
    gone = await api.delete(f"/v1/people/{person_id}/identities/x/acme/dana", headers=SUP)
    assert gone.status_code == 200 and gone.json() == {
        "id": None, "identities": [], "hidden_identities": 0, "conversations": [],
        "merged": []}
    for cid in (x, ig):
        assert (await person(api, cid))["id"] is None
    actions = [e["action"] for e in await store.audit.read(None, None, None, 10)]
    assert actions.count("unlink") == 2
    # Linked again after dissolving: a fresh person, the lookups free to take.
    assert (await link(api, by(x), by(ig))).status_code == 200
    assert (await person(api, ig))["id"] not in (None, person_id)


async def test_a_customers_photo_reaches_the_conversation_view(
        api: httpx.AsyncClient, store: Store) -> None:
    photo = {"kind": "image", "url": "https://pbs.example/media/p1.jpg"}
    sent = message_on("x", "m1", "dana", attachments=[
        photo, {"kind": "file", "url": "https://files.example/receipt.pdf"}])
    # Read back by the decode every worker uses, an added field in the attachment included.
    value, headers = cloudevents.encode(sent, source="test")
    value = value.replace(b'"kind":"image"', b'"kind":"image","width":640')
    assert b"width" in value
    received = cloudevents.decode(value, headers, MessageClassified).data
    cid = (await route(router(store), received, "e1")).conversation_id
    detail = (await api.get(f"/v1/conversations/{cid}", headers=AGENT)).json()
    assert detail["messages"][0]["attachments"] == [
        photo, {"kind": "file", "url": "https://files.example/receipt.pdf"}]


async def test_the_page_serves_the_people_panel_and_its_styles(api: httpx.AsyncClient) -> None:
    view = (await api.get("/inbox/js/conversation.js")).text
    assert 'from "./people.js"' in view and "attachments(m)" in view
    panel = await api.get("/inbox/js/people.js")
    assert panel.status_code == 200 and "/v1/people/links" in panel.text
    assert (await api.get("/inbox/css/people.css")).status_code == 200
