"""Correcting a message's labels: the service the API and the page call.

An agent may correct a customer's message in a conversation they may read on a brand they
work on (``Action.CORRECT``: the permission rules decide, as for every action); the
correction is stored as a labelled example of the brand and written to the audit trail,
labels only (the message's text stays out of the trail).
"""

from datetime import datetime
from typing import Any

from socialcare_router.adapters.audit import AuditLog
from socialcare_router.adapters.corrections import CorrectionStore
from socialcare_router.domain.corrections import InvalidCorrection, Labels
from socialcare_router.domain.permissions import Action, Actor
from socialcare_router.inbox import Inbox, NotFound


async def correct_message(inbox: Inbox, corrections: CorrectionStore, audit: AuditLog,
                          actor: Actor, message_id: str, labels: Labels,
                          now: datetime) -> dict[str, Any]:
    """Stores the correction of ``message_id``; NotFound, Forbidden or InvalidCorrection."""
    missing = NotFound(f"no message {message_id}")
    message = await corrections.message(message_id)
    if message is None or not message.get("conversation_id"):
        raise missing
    try:
        conversation = await inbox.load(actor, message["conversation_id"], Action.CORRECT)
    except NotFound:
        # Another brand's message is answered as one that does not exist: neither that it
        # exists nor its conversation's id may reach someone outside the brand.
        raise missing from None
    if message.get("direction") != "inbound":
        raise InvalidCorrection("only a customer's message has labels to correct")
    stored = await corrections.correct(message, conversation.brand_account, labels, actor.id,
                                       now)
    await audit.record(actor.id, actor.role, Action.CORRECT.value, now,
                       conversation_id=conversation.id,
                       brand_account=conversation.brand_account, target=message_id,
                       details={"labels": labels.given()})
    return stored


async def corrections_of(inbox: Inbox, corrections: CorrectionStore, actor: Actor,
                         conversation_id: str) -> list[dict[str, Any]]:
    """The corrections of a conversation's messages, for whoever may read it."""
    conversation = await inbox.load(actor, conversation_id)
    return await corrections.of_messages(conversation.brand_account,
                                         conversation.message_keys)
