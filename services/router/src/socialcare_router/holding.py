"""Holding replies: while an incident with one is open, each new customer in it is answered
at once ("we know, we are on it"), so nobody waits past the first-response deadline for
the team to get to them. The reply goes the way an agent's does (stored once under an id
derived from the conversation and the incident, then published for the responder), so a
redelivered message never sends it twice; the conversation stays in its queue for the
real answer.
"""

import logging
import uuid
from datetime import datetime

from socialcare_contracts.events import MessageClassified, ReplyKind, ReplyRequested
from socialcare_router.adapters.store import Store
from socialcare_router.domain.surge import HOLDING_TAG, holding_reply_for
from socialcare_router.replies import queue_again, reply_record
from socialcare_router.routing_config import RoutingConfig
from socialcare_text.templates import MissingVariables, render

log = logging.getLogger(__name__)
AGENT = "holding-reply"  # who the reply is from in the audit trail and the thread


async def holding_reply(store: Store, config: RoutingConfig, event: MessageClassified,
                        conversation_id: str, now: datetime) -> ReplyRequested | None:
    """The holding reply to publish for a conversation the message just opened, if any."""
    message = event.message
    incident = holding_reply_for(message.brand_account, event.classification.intents,
                                 (await config.current()).incident_routes)
    if incident is None or incident.holding_reply is None:
        return None
    # Only to a conversation routed under the incident (tagged for it then): a message whose
    # batch was routed before the holding reply was set is not, and answering it would make
    # the cluster's bulk reply pass it over as answered.
    conversation = await store.repository.get(conversation_id)
    if conversation is None or HOLDING_TAG not in conversation.tags:
        return None
    customer = message.author.display_name or message.author.handle or ""
    try:
        text = render(incident.holding_reply, {"customer_name": customer})
    except MissingVariables as exc:
        log.warning("incident %s: holding reply not sent (%s)", incident.incident_id, exc)
        return None
    reply_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                              f"{conversation_id}:holding:{incident.incident_id}"))
    created = await store.create_reply(reply_record(
        reply_id, conversation_id, ReplyKind.PUBLIC, text, AGENT, message.brand_account, now,
        incident_id=incident.incident_id))
    if not created and not queue_again(await store.get_reply(reply_id) or {"status": "sent"}):
        return None  # a redelivery, and the first delivery's reply reached Kafka
    return ReplyRequested(
        reply_id=reply_id, conversation_id=conversation_id, platform=message.platform,
        brand_account=message.brand_account, kind=ReplyKind.PUBLIC,
        in_reply_to_id=message.platform_message_id, recipient_id=message.author.id,
        text=text, agent_id=AGENT, requested_at=now,
        private_data=event.classification.private_data,
        priority=event.classification.priority)
