"""Versioned event payloads, one model per event type, JSON on the wire.

Each event's CloudEvents ``type`` is its topic name, so one topic carries one type and a
consumer can check both. Adding an optional field is compatible; anything else needs a
new ``.vN`` (the contract tests enforce it against the committed JSON Schemas).
"""

from enum import StrEnum
from typing import Any, Final

from pydantic import AwareDatetime, Field

from socialcare_contracts import topics
from socialcare_contracts.messages import Contract, NormalizedMessage, Platform


class SentimentLabel(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Sentiment(Contract):
    label: SentimentLabel
    score: float = Field(ge=-1.0, le=1.0, description="-1 most negative .. 1 most positive")


class Classification(Contract):
    language: str = Field(description="ISO 639-1 code, or 'und' when unsure")
    language_confidence: float = Field(ge=0.0, le=1.0)
    sentiment: Sentiment
    intents: tuple[str, ...] = ()
    priority: int = Field(default=0, ge=0, le=100)
    priority_reasons: tuple[str, ...] = ()
    listening_matches: tuple[str, ...] = ()
    private_data: bool = Field(default=False, description="Recommend moving to a DM")
    masked_text: str | None = Field(
        default=None, description="The text with its personal data masked, when it had any: "
                                  "safe to log or keep for analytics")
    model_version: str
    categories: tuple[str, ...] = Field(
        default=(), description="Categories of the brand's own taxonomy")


class MessageReceived(Contract):
    message: NormalizedMessage


class MessageClassified(Contract):
    message: NormalizedMessage
    classification: Classification


class ConversationStatus(StrEnum):
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"


class ConversationUpdated(Contract):
    """A conversation changed: for integrators and live inbox views."""

    conversation_id: str
    change: str = Field(description="created, message_added, reply_sent, reply_failed, ...")
    status: ConversationStatus
    platform: Platform
    brand_account: str
    customer_id: str
    queue: str
    priority: int = Field(ge=0, le=100)
    message_count: int = Field(ge=0)
    first_response_due_at: AwareDatetime
    first_response_at: AwareDatetime | None = None
    updated_at: AwareDatetime
    version: int | None = Field(
        default=None, ge=1,
        description="The conversation's version after this change: one conversation's events "
                    "are published in order, and a repeat (at-least-once) carries the same "
                    "version, so a consumer keeps the highest it has seen")


class ReplyKind(StrEnum):
    PUBLIC = "public"
    DIRECT = "direct"


class ReplyRequested(Contract):
    """An agent's reply, ready to send; ``reply_id`` is the idempotency key end to end."""

    reply_id: str = Field(min_length=1, max_length=64)
    conversation_id: str
    platform: Platform
    brand_account: str
    kind: ReplyKind
    in_reply_to_id: str | None = Field(default=None, description="Platform id; public replies")
    recipient_id: str = Field(description="Customer's platform id; direct messages")
    text: str = Field(min_length=1, max_length=10_000)
    agent_id: str
    requested_at: AwareDatetime
    media_ids: tuple[str, ...] = Field(
        default=(), max_length=4, description="Platform media ids already uploaded by the brand")
    private_data: bool = Field(
        default=False, description="The classifier saw personal data: a brand may force a DM")


class ReplySent(Contract):
    reply_id: str
    conversation_id: str
    platform: Platform
    platform_message_id: str
    permalink: str | None = None
    requested_at: AwareDatetime
    sent_at: AwareDatetime


class ReplyFailed(Contract):
    reply_id: str
    conversation_id: str
    platform: Platform
    code: str = Field(description="invalid_argument, permission_denied, unavailable, ...")
    reason: str = Field(description="What an agent can act on")
    requested_at: AwareDatetime
    failed_at: AwareDatetime


class ClassifierRulesChanged(Contract):
    """A brand's classifier taxonomy (keyword phrases and learned model) became active."""

    brand: str = Field(min_length=1, max_length=200)
    version: str = Field(description="Taxonomy version, stamped into model_version")
    taxonomy: dict[str, Any] | None = Field(
        default=None, description="Keyword phrases and model as JSON; absent removes the brand's")
    changed_by: str | None = None
    changed_at: AwareDatetime


class DeadLettered(Contract):
    """A record no consumer could process, kept byte for byte with why and where."""

    reason: str
    stage: str
    service: str
    source_topic: str
    partition: int
    offset: int
    key_base64: str | None = None
    value_base64: str
    headers: dict[str, str] = {}
    dead_lettered_at: AwareDatetime


EVENT_TOPICS: Final[dict[type[Contract], str]] = {
    MessageReceived: topics.MESSAGES_RECEIVED,
    MessageClassified: topics.MESSAGES_CLASSIFIED,
    ConversationUpdated: topics.CONVERSATIONS_UPDATED,
    ReplyRequested: topics.REPLIES_REQUESTED,
    ReplySent: topics.REPLIES_SENT,
    ReplyFailed: topics.REPLIES_FAILED,
    DeadLettered: topics.DEADLETTER,
    ClassifierRulesChanged: topics.CLASSIFIER_RULES,
}
