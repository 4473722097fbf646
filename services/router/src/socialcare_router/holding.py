"""Holding replies: while an incident with one is open, each new customer in it is answered
at once ("we know, we are on it"), so nobody waits past the first-response deadline for
the team to get to them. The reply goes the way an agent's does (stored once under an id
derived from the conversation and the incident, then published for the responder); the
conversation stays in its queue for the real answer.

The stored reply is its own outbox: until the responder reports it sent (or failed), a
redelivery of the message that opened the conversation publishes it again, so a process
that died between storing it and Kafka's acknowledgement loses nothing. The responder
sends a reply id once (its delivery ledger), so a second copy never reaches the customer.
"""

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from socialcare_contracts.events import MessageClassified, ReplyKind, ReplyRequested
from socialcare_router.adapters.store import Store
from socialcare_router.domain.surge import HOLDING_TAG, holding_reply_for
from socialcare_router.domain.threading import message_key
from socialcare_router.inbox import Events
from socialcare_router.replies import queue_again, reply_record
from socialcare_router.routing import Router
from socialcare_router.routing_config import RoutingConfig
from socialcare_text.templates import MissingVariables, render

log = logging.getLogger(__name__)
AGENT = "holding-reply"  # who the reply is from in the audit trail and the thread


async def answer_holding(router: Router, event: MessageClassified, events: Events,
                         publish: Callable[[ReplyRequested], Awaitable[Any]]) -> None:
    """The router worker's step after routing a customer message: its holding reply, if due.

    Asked on every delivery, a repeat included: a repeat's events are only what its
    conversation's outbox still holds, which another writer may have published already,
    so they cannot tell whether the message opened the conversation.
    """
    reply = await holding_reply(router.store, router.config, event,
                                events[-1][1] if events else None, router.clock())
    if reply is not None:
        # Not marked queued here: inside a batch Kafka acknowledges at the batch's end, and
        # a reply marked before that would never be published again should the ack fail.
        await publish(reply)


async def holding_reply(store: Store, config: RoutingConfig, event: MessageClassified,
                        conversation_id: str | None, now: datetime) -> ReplyRequested | None:
    """The holding reply to publish for the conversation the message opened, if any and
    not sent yet; ``conversation_id`` is looked up from the message when not known."""
    message = event.message
    incident = holding_reply_for(message.brand_account, event.classification.intents,
                                 (await config.current()).incident_routes)
    if incident is None or incident.holding_reply is None:
        return None
    key = message_key(message.platform, message.brand_account, message.platform_message_id)
    conversation_id = conversation_id or await store.conversation_of_message(key)
    conversation = await store.repository.get(conversation_id) if conversation_id else None
    # Only to the message that opened the conversation (what it holds, not what the outbox
    # says), and only if it was routed under the incident (tagged for it then): a message
    # whose batch was routed before the holding reply was set is not, and answering it
    # would make the cluster's bulk reply pass it over as answered.
    if conversation is None or conversation.message_keys[:1] != [key] \
            or HOLDING_TAG not in conversation.tags:
        return None
    customer = message.author.display_name or message.author.handle or ""
    try:
        text = render(incident.holding_reply, {"customer_name": customer})
    except MissingVariables as exc:
        log.warning("incident %s: holding reply not sent (%s)", incident.incident_id, exc)
        return None
    reply_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                              f"{conversation.id}:holding:{incident.incident_id}"))
    created = await store.create_reply(reply_record(
        reply_id, conversation.id, ReplyKind.PUBLIC, text, AGENT, message.brand_account, now,
        incident_id=incident.incident_id))
    if not created:
        stored = await store.get_reply(reply_id)
        if stored is None or not _unsent(stored):
            return None  # the responder sent it, or it failed for a reason a copy keeps
        now = stored["requested_at"]  # the responder's deadline runs from the first request
    return ReplyRequested(
        reply_id=reply_id, conversation_id=conversation.id, platform=message.platform,
        brand_account=message.brand_account, kind=ReplyKind.PUBLIC,
        in_reply_to_id=message.platform_message_id, recipient_id=message.author.id,
        text=text, agent_id=AGENT, requested_at=now,
        private_data=event.classification.private_data,
        priority=event.classification.priority)


def _unsent(stored: dict[str, Any]) -> bool:
    # "queued" is no proof here: the worker cannot know when Kafka took it (see above).
    return stored["status"] == "requested" or queue_again(stored)
