"""Near-duplicate clusters on the real MongoDB server and Kafka: a burst of one question in
varied words lands in one cluster and unrelated messages stay out; a supervisor previews
and sends one reply that reaches every clustered customer once, personally."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bench.spike.burst import WORDINGS
from socialcare_contracts.events import MessageClassified
from socialcare_contracts.messages import NormalizedMessage
from socialcare_responder.adapters.budget import BudgetStore
from socialcare_router.adapters.clusters import ClusterIndex
from socialcare_router.adapters.store import Store
from socialcare_router.domain.threading import message_key
from socialcare_router.settings import InboxUser
from tests.integration.router_helpers import (  # noqa: F401
    AGENT,
    AGENT2,
    SUP,
    Clock,
    add_agent,
    api,
    classified,
    inbox_api,
    route,
    router,
    store,
)

pytestmark = pytest.mark.integration
UNRELATED = [
    "my package never arrived and tracking says delivered", "I was charged twice for my order",
    "the app crashes every time I open it", "love the new store layout!",
    "can I return a gift without a receipt", "where is my refund? it's been 3 weeks",
    "my account has been hacked please help", "is the blue jacket back in stock",
    "the delivery driver left my parcel in the rain", "how do I change my shipping address"]


def asking(mid: str, customer: str, text: str, at: datetime,
           intents: tuple[str, ...] = ("promo_code",)) -> MessageClassified:
    base = classified(mid, author=customer, at=at)
    message = NormalizedMessage(**{**base.message.model_dump(), "text": text,
                                   "author": {"id": customer, "handle": f"{customer}_h",
                                              "display_name": f"Customer {customer}"}})
    facts = base.classification.model_copy(update={"intents": intents})
    return MessageClassified(message=message, classification=facts)


def note(index: ClusterIndex, event: MessageClassified, conversation_id: str) -> None:
    m = event.message
    index.note(m.brand_account, event.classification.intents, m.text, conversation_id,
               message_key(m.platform, m.brand_account, m.platform_message_id), m.created_at)


async def test_one_worker_merges_the_wordings_of_a_burst_into_one_cluster(
        store: Store) -> None:
    now = datetime.now(UTC)
    rnd = random.Random(11)
    index = ClusterIndex(store.db)
    for i in range(200):
        note(index, asking(f"b{i}", f"u{i}", rnd.choice(WORDINGS), now), f"c-b{i}")
    await index.flush()
    clusters = Counter()
    async for doc in store.clusters.clusters.find({"merged_into": None}):
        clusters[doc["_id"]] = len(doc["members"])
    # Wordings that began apart were merged: 90 % in one cluster.
    assert clusters.most_common(1)[0][1] >= 180, clusters


async def test_a_burst_in_varied_words_is_one_cluster_and_others_stay_out(
        store: Store) -> None:
    now = datetime.now(UTC)
    rnd = random.Random(7)
    burst = [asking(f"b{i}", f"u{i}", rnd.choice(WORDINGS), now) for i in range(200)]
    others = [asking(f"o{i}", f"v{i}", text, now, intents=("promo_code",))
              for i, text in enumerate(UNRELATED)]
    # Two workers group their halves concurrently.
    first, second = ClusterIndex(store.db), ClusterIndex(store.db)
    for i, event in enumerate(burst + others):
        note(first if i % 2 else second, event, f"c-{event.message.platform_message_id}")
    await asyncio.gather(first.flush(), second.flush())
    clusters = {}
    async for doc in store.clusters.clusters.find({"merged_into": None}):
        for member in doc["members"]:
            clusters[member["conversation_id"]] = doc["_id"]
    of_burst = Counter(clusters[f"c-b{i}"] for i in range(200))
    _, size = of_burst.most_common(1)[0]
    # 90 % in one or a few clusters, as the issue asks. Alone, one worker merges the
    # wordings that began apart into one; two racing on the same new wordings may each
    # start one (a band key belongs to the first to write it), timing decides.
    assert sum(n for _, n in of_burst.most_common(3)) >= 180, of_burst
    joined = [t for i, t in enumerate(UNRELATED) if clusters.get(f"c-o{i}") in of_burst]
    assert joined == []
    [top, *_] = await store.clusters.largest(None, now, 5)
    # The list leads with the burst's biggest (two of equal size: either).
    assert top["size"] == size and of_burst[top["_id"]] == size


async def test_one_reply_reaches_every_clustered_customer_once_personally(
        store: Store, api) -> None:
    now = datetime.now(UTC)
    r = router(store, Clock(now))
    index = store.clusters
    events = [asking(f"b{i}", f"u{i}", WORDINGS[i % len(WORDINGS)], now - timedelta(minutes=1))
              for i in range(12)]
    cids = []
    for i, event in enumerate(events):
        cids.append((await route(r, event, f"e{i}")).conversation_id)
        note(index, event, cids[-1])
    await index.flush()
    [cluster] = (await api.get("/v1/clusters", headers=SUP)).json()
    assert cluster["size"] == 12 and len(cluster["samples"]) == 3
    # One of them is held by another agent: an agent's bulk reply leaves it out, the
    # supervisor's reaches it (a supervisor may answer any).
    await add_agent(store, "agent-b")
    assert (await api.post(f"/v1/conversations/{cids[0]}/claim", headers=AGENT2)).status_code \
        == 200
    as_agent = (await api.get(f"/v1/clusters/{cluster['id']}", headers=AGENT)).json()
    assert as_agent["left_out"] == {"held_by_another_agent": 1}
    assert as_agent["will_reply"][0]["replies"] == 11
    preview = (await api.get(f"/v1/clusters/{cluster['id']}", headers=SUP)).json()
    # No responder has sent on this account yet: the gateway's default X limit is assumed,
    # 72 bulk copies per 15 minutes once the margin and the one-offs' share are kept.
    assert preview["will_reply"] == [{"platform": "x", "replies": 12,
                                      "minutes_to_send": 2.5, "quota": "assumed"}]
    # A responder recorded what the gateway advertises: 6 bulk copies a minute.
    await BudgetStore(store.db).record_quota("x", cluster["brand_account"], "sends", 10, 60, 6)
    preview = (await api.get(f"/v1/clusters/{cluster['id']}", headers=SUP)).json()
    assert preview["will_reply"] == [{"platform": "x", "replies": 12,
                                      "minutes_to_send": 2.0, "quota": "advertised"}]
    body = {"text": "Hi {customer_name}, SAVE20 works again: sorry! {agent_initials}"}
    sent = await api.post(f"/v1/clusters/{cluster['id']}/replies", headers=SUP, json=body)
    assert sent.status_code == 202, sent.text
    assert sent.json()["queued"] == 12
    again = await api.post(f"/v1/clusters/{cluster['id']}/replies", headers=SUP, json=body)
    assert again.json()["reply_ids"] == sent.json()["reply_ids"]
    replies = [d async for d in store.replies.find({})]
    assert len(replies) == 12 and all(d["bulk"] for d in replies)
    assert {d["text"] for d in replies} == {
        f"Hi Customer u{i}, SAVE20 works again: sorry! ^AK" for i in range(12)}
    assert {d["conversation_id"] for d in replies} == set(cids)
    # A variable nothing fills refuses the whole request before any reply is stored.
    bad = await api.post(f"/v1/clusters/{cluster['id']}/replies", headers=AGENT2,
                         json={"text": "Hi {customer_name}, order {order_number}"})
    assert bad.status_code == 422
    assert await store.replies.count_documents({}) == 12
    assert (await api.get("/v1/clusters/nope", headers=SUP)).status_code == 404


async def test_a_supervisor_reads_which_messages_a_cluster_holds_by_platform_id(
        store: Store, api, kafka_bootstrap: str) -> None:
    now = datetime.now(UTC)
    # Ids with a colon: the platform id is what follows the brand, whole.
    burst = [asking(f"b:{i}", f"u{i}", WORDINGS[0], now) for i in range(7)]
    for event in [*burst, asking("o1", "v1", UNRELATED[0], now)]:
        note(store.clusters, event, f"c-{event.message.platform_message_id}")
    await store.clusters.flush()
    [cluster] = (await api.get("/v1/clusters", headers=SUP)).json()

    first = await api.get(f"/v1/clusters/{cluster['id']}/members?limit=4", headers=SUP)
    rest = await api.get(f"/v1/clusters/{cluster['id']}/members?offset=4", headers=SUP)
    members = first.json()["members"] + rest.json()["members"]
    assert first.json()["total"] == 7 and len(first.json()["members"]) == 4
    assert [(m["platform"], m["platform_message_id"], m["conversation_id"]) for m in members] \
        == [("x", f"b:{i}", f"c-b:{i}") for i in range(7)]
    assert (await api.get(f"/v1/clusters/{cluster['id']}/members", headers=AGENT)
            ).status_code == 403
    other_brand = {"k-other": InboxUser(id="sup2", name="Kim", role="supervisor",
                                        brands=["other"])}
    async with inbox_api(store, kafka_bootstrap, other_brand) as elsewhere:
        assert (await elsewhere.get(f"/v1/clusters/{cluster['id']}/members",
                                    headers={"X-API-Key": "k-other"})).status_code == 404
