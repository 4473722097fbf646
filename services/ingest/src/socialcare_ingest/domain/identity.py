"""Deterministic ids: the same platform message always becomes the same event."""

import uuid

from socialcare_contracts.messages import NormalizedMessage


def message_key(message: NormalizedMessage) -> str:
    """Platform-wide identity of a message: platform, brand account and platform id."""
    return f"{message.platform.value}:{message.brand_account}:{message.platform_message_id}"


def message_event_id(message: NormalizedMessage) -> str:
    """The CloudEvents id of a message's MessageReceived: a re-sent message is the same event."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"socialcare:received:{message_key(message)}"))
