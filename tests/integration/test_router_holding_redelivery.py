"""Holding replies across a router crash, on the real MongoDB server: the message that opened
a conversation during an incident is redelivered after the process died between storing its
holding reply and Kafka's acknowledgement; the reply is published again until the responder
reports it sent, and never after."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

from datetime import timedelta

import pytest

from socialcare_contracts.events import ReplyRequested, ReplySent
from socialcare_router.adapters.store import Store
from socialcare_router.domain.surge import SurgePolicy
from socialcare_router.holding import answer_holding
from socialcare_router.routing import Router
from socialcare_router.surges import SurgeDetector
from tests.integration.router_helpers import (  # noqa: F401
    SUPERVISOR,
    T0,
    Clock,
    acked,
    classified,
    inbox,
    router,
    store,
)

pytestmark = pytest.mark.integration


class Crash(Exception):
    """The router process dying at that point."""


async def incident_with_holding_reply(store: Store, clock: Clock) -> None:
    """A brand-wide incident of ``acme`` whose holding reply is in force."""
    surges = SurgeDetector(store.volume, store.incidents, SurgePolicy(), clock)
    for i in range(40):
        surges.volume.count("acme", ("order_status",), False,
                            clock.at - timedelta(seconds=i), clock.at)
    await surges.volume.flush()
    incident = {e.intent: e for e in await surges.run_once()}["*"].incident_id
    assert await store.incidents.set_routing(
        incident, {"holding_reply": "We know, we are on it."}, clock.at) is not None
    await store.config.bump_version(clock.at)


async def deliver(r: Router, mid: str, crash: bool = False,
                  reply_to: str | None = None) -> list[ReplyRequested]:
    """The router worker's handling of a customer message: routed, then its holding reply
    published (what the worker hands to Kafka); ``crash`` dies before anything is."""
    published: list[ReplyRequested] = []

    async def publish(reply: ReplyRequested) -> None:
        if crash:
            raise Crash
        published.append(reply)

    event = classified(mid, author="c1", reply_to=reply_to)
    events = await r.route_message(event, f"e-{mid}")
    await answer_holding(r, event, events, publish)
    acked(r.store, events)
    return published


async def test_a_holding_reply_stored_before_a_crash_is_published_on_redelivery(
        store: Store) -> None:
    clock = Clock(T0)
    await incident_with_holding_reply(store, clock)
    r = router(store, clock)
    with pytest.raises(Crash):  # the reply is stored, its send never handed to Kafka
        await deliver(r, "m1", crash=True)
    [stored] = [d async for d in store.replies.find({})]
    assert stored["status"] == "requested"
    # Meanwhile a supervisor tags the conversation: the API publishes the conversation's
    # outbox (its 'created' event included) and empties it.
    await inbox(store, clock).tag(SUPERVISOR, stored["conversation_id"], ["promo"], [])
    assert (await store.get_conversation(stored["conversation_id"]))["outbox"] == []
    [again] = await deliver(r, "m1")  # the redelivery
    assert (again.reply_id, again.text, again.in_reply_to_id) == \
        (stored["_id"], "We know, we are on it.", "m1")


async def test_a_holding_reply_handed_to_kafka_but_not_acknowledged_is_published_again(
        store: Store) -> None:
    clock = Clock(T0)
    await incident_with_holding_reply(store, clock)
    r = router(store, clock)
    [first] = await deliver(r, "m1")
    # The batch's acknowledgement never came (the process died, or Kafka refused it): the
    # message is delivered again, and so is the reply, under the same id.
    [again] = await deliver(r, "m1")
    assert again.reply_id == first.reply_id
    assert again.requested_at == first.requested_at  # the responder's deadline holds
    # The responder sent it: a later redelivery publishes nothing.
    await r.on_reply_sent(ReplySent(
        reply_id=first.reply_id, conversation_id=first.conversation_id, platform="x",
        platform_message_id="p-holding", requested_at=first.requested_at,
        sent_at=clock.at))
    assert await deliver(r, "m1") == []
    assert (await store.get_reply(first.reply_id))["status"] == "sent"
    # Nor does the customer's next message in that conversation get one.
    assert await deliver(r, "m2", reply_to="m1") == []
    assert [d["_id"] async for d in store.replies.find({})] == [first.reply_id]


async def test_a_failed_holding_reply_is_not_published_again(store: Store) -> None:
    clock = Clock(T0)
    await incident_with_holding_reply(store, clock)
    r = router(store, clock)
    [first] = await deliver(r, "m1")
    await store.set_reply_outcome(first.reply_id, {
        "status": "failed", "failure_code": "invalid_argument", "reason": "too long"})
    assert await deliver(r, "m1") == []
