"""Events from a newer producer (a rolling deploy): added fields and enum values this version
does not know. Read by the decode every worker uses and handled by the router's real
handlers on the real MongoDB server: processed, never refused (the tolerant reader)."""

import json
from datetime import timedelta

import pytest

from socialcare_contracts import cloudevents
from socialcare_contracts.events import MessageClassified, ReplyFailed, ReplySent
from socialcare_contracts.messages import Contract
from socialcare_router.adapters.store import Store
from tests.integration.router_helpers import (  # noqa: F401
    T0,
    acked,
    classified,
    router,
    store,
)

pytestmark = pytest.mark.integration


def from_newer_producer(event: Contract, model: type[Contract], change: dict) -> Contract:
    """``event`` as a newer producer would write it, read back as this version reads it."""
    value, headers = cloudevents.encode(event, source="newer")
    data = json.loads(value)
    for path, new in change.items():
        target = data
        *parents, leaf = path.split(".")
        for key in parents:
            target = target[key]
        target[leaf] = new
    return cloudevents.decode(json.dumps(data).encode(), headers, model).data


async def test_newer_events_are_processed_not_refused(store: Store) -> None:  # noqa: F811
    r = router(store)
    message = from_newer_producer(classified("m1"), MessageClassified, {
        "added_field": {"x": 1}, "message.platform": "tiktok", "message.channel": "duet",
        "message.mood": "cross", "classification.sentiment.label": "furious",
        "classification.added": [1, 2]})
    [(_, cid, created)] = acked(store, await r.route_message(message, "e1"))
    assert (created.change, created.platform.value) == ("created", "tiktok")
    await store.create_reply({"_id": "r1", "conversation_id": cid, "status": "requested",
                              "kind": "public", "text": "hi", "agent_id": "a1",
                              "brand_account": "acme", "requested_at": T0})
    sent = from_newer_producer(ReplySent(
        reply_id="r1", conversation_id=cid, platform="x", platform_message_id="p1",
        requested_at=T0, sent_at=T0 + timedelta(minutes=3)), ReplySent,
        {"platform": "tiktok", "delivery_receipt": "abc"})
    assert [e[2].change for e in acked(store, await r.on_reply_sent(sent))] == ["reply_sent"]
    failed = from_newer_producer(ReplyFailed(
        reply_id="r2", conversation_id=cid, platform="x", code="rate_limited",
        reason="later", requested_at=T0, failed_at=T0), ReplyFailed,
        {"code": "quota_exhausted", "retry_at": "soon"})
    assert [e[2].change for e in await r.on_reply_failed(failed)] == ["reply_failed"]
    conversation = await store.repository.get(cid)
    assert conversation.first_response_at == T0 + timedelta(minutes=3)
    assert conversation.platform == "tiktok"
