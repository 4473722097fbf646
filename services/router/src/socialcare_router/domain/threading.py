"""Which conversation a message belongs to.

A message joins the conversation of the message it replies to; otherwise the customer's
latest conversation on the same brand account if it saw activity within the window;
otherwise it starts a new one. New conversation ids derive from the first message, so
processing the same message twice never makes two conversations.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialcare_contracts.messages import NormalizedMessage

DEFAULT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class KnownConversation:
    id: str
    last_message_at: datetime


@dataclass(frozen=True)
class ThreadDecision:
    conversation_id: str
    is_new: bool
    reason: str


def message_key(platform: str, brand_account: str, platform_message_id: str) -> str:
    """The unique key of a platform message within SocialCare."""
    return f"{platform}:{brand_account}:{platform_message_id}"


def new_conversation_id(message: NormalizedMessage) -> str:
    """Deterministic id for a conversation started by ``message``."""
    key = message_key(message.platform, message.brand_account, message.platform_message_id)
    return "c_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def thread_message(
    message: NormalizedMessage,
    replied_to: str | None,
    latest_of_customer: KnownConversation | None,
    window: timedelta = DEFAULT_WINDOW,
) -> ThreadDecision:
    """Decides the conversation from what the store knows about related messages."""
    if replied_to is not None:
        return ThreadDecision(replied_to, False, "reply chain")
    if latest_of_customer is not None and \
            message.created_at - latest_of_customer.last_message_at <= window:
        return ThreadDecision(latest_of_customer.id, False, "same customer within window")
    return ThreadDecision(new_conversation_id(message), True, "new thread")
