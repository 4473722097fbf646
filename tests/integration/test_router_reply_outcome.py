"""A reply's outcome recorded before the inbox API has answered is never overwritten.

The responder can fail a reply within milliseconds of it reaching Kafka (an open circuit
past the give-up time, a refusal such as a text too long for the platform), so the
router may store the outcome while the API is still between its publish and its answer.
Found by the fault-injection suite: replies stayed "requested" for ever.
"""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

import httpx
import pytest

from socialcare_router.adapters.store import Store
from socialcare_runtime.publisher import Backpressure
from tests.integration.router_helpers import AGENT, api, seed, store  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("outcome", [
    {"status": "failed", "failure_code": "unavailable", "reason": "circuit open"},
    {"status": "sent", "platform_message_id": "p-1", "reason": None},
])
async def test_an_outcome_stored_while_publishing_stands(
        api: httpx.AsyncClient, store: Store, outcome: dict) -> None:
    [cid] = await seed(store)
    publisher = api.inbox_app.state.publisher  # type: ignore[attr-defined]
    publish = publisher.publish

    async def publish_then_outcome(items: list) -> list[str]:
        ids = await publish(items)
        # What the router worker does on ReplyFailed / ReplySent, before the API goes on.
        await store.set_reply_outcome(items[0].data.reply_id, outcome)
        return ids

    publisher.publish = publish_then_outcome
    answer = await api.post(f"/v1/conversations/{cid}/replies", json={"text": "On it"},
                            headers={**AGENT, "Idempotency-Key": "fast-outcome"})
    assert answer.status_code == 202
    stored = await store.get_reply(answer.json()["reply_id"])
    assert stored["status"] == outcome["status"]
    assert stored["reason"] == outcome["reason"]


async def test_a_reply_not_queued_is_queued_by_the_retry(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    publisher = api.inbox_app.state.publisher  # type: ignore[attr-defined]
    publish = publisher.publish

    async def kafka_down(items: list) -> list[str]:
        raise Backpressure("Kafka unavailable")

    publisher.publish = kafka_down
    request = {"json": {"text": "On it"}, "headers": {**AGENT, "Idempotency-Key": "retry-me"}}
    refused = await api.post(f"/v1/conversations/{cid}/replies", **request)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    [stored] = await store.replies_of(cid)
    assert (stored["status"], stored["failure_code"]) == ("failed", "not_queued")
    publisher.publish = publish
    queued = await api.post(f"/v1/conversations/{cid}/replies", **request)
    assert queued.status_code == 202 and queued.json()["reply_id"] == stored["_id"]
    again = await store.get_reply(stored["_id"])
    assert (again["status"], again["failure_code"], again["reason"]) == ("requested", None, None)


async def test_a_reply_stored_by_an_api_that_died_before_kafka_acked_is_queued_by_the_retry(
        api: httpx.AsyncClient, store: Store) -> None:
    [cid] = await seed(store)
    publisher = api.inbox_app.state.publisher  # type: ignore[attr-defined]
    publish = publisher.publish
    published: list[str] = []

    async def killed(items: list) -> list[str]:
        raise RuntimeError("the process was killed here")

    async def recorded(items: list) -> list[str]:
        published.extend(item.data.reply_id for item in items)
        return await publish(items)

    request = {"json": {"text": "On it"}, "headers": {**AGENT, "Idempotency-Key": "died"}}
    publisher.publish = killed
    with pytest.raises(RuntimeError):
        await api.post(f"/v1/conversations/{cid}/replies", **request)
    [stored] = await store.replies_of(cid)
    assert stored["status"] == "requested" and "queued_at" not in stored
    publisher.publish = recorded
    retried = await api.post(f"/v1/conversations/{cid}/replies", **request)
    assert retried.status_code == 202 and published == [stored["_id"]]
    assert (await store.get_reply(stored["_id"]))["queued_at"] is not None
    # Once Kafka acknowledged it, a further retry answers from the store and publishes nothing.
    again = await api.post(f"/v1/conversations/{cid}/replies", **request)
    assert again.json() == {"reply_id": stored["_id"], "status": "requested"}
    assert published == [stored["_id"]]
