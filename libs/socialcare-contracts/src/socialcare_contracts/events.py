"""Versioned event payloads, one model per event type, JSON on the wire.

Each event's CloudEvents ``type`` is its topic name, so one topic carries one type and a
consumer can check both. Adding an optional field is compatible; anything else needs a
new ``.vN`` (the contract tests enforce it against the committed JSON Schemas).
"""

from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import Field

from socialcare_contracts import topics
from socialcare_contracts.incidents import IncidentUpdated
from socialcare_contracts.limits import (
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    CleanText,
    Id,
    Int64,
    Name,
    NonNegativeInt64,
    Timestamp,
)
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
    decided_by: dict[Id, Name] = Field(
        default_factory=dict, max_length=20,
        description="Which stage set a label, by label name: 'sentiment' -> 'lexicon' or "
                    "'fast:<model version>' (a later stage writes its own); labels not "
                    "listed come from the rules")


class MessageReceived(Contract):
    message: NormalizedMessage


class MessageClassified(Contract):
    message: NormalizedMessage
    classification: Classification


class ClassificationRefined(Contract):
    """The deep stage disagreed with the fast stage about a message it classified."""

    message: NormalizedMessage
    classification: Classification = Field(
        description="The whole classification with the deep stage's labels in place; its "
                    "decided_by names 'deep:<model version>' for each label it changed")
    refined: tuple[Name, ...] = Field(
        min_length=1, max_length=20, description="The labels changed: 'sentiment', 'intents'")
    fast_sentiment: SentimentLabel | None = Field(
        default=None, description="What the fast stage said, when the sentiment was refined")
    fast_intents: tuple[str, ...] = Field(
        default=(), description="The fast stage's intents, when the intents were refined")
    fast_priority: int = Field(ge=0, le=100, description="The fast stage's priority")


class ConversationStatus(StrEnum):
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    RESOLVED = "resolved"


class ConversationUpdated(Contract):
    """A conversation changed: for integrators and live inbox views."""

    conversation_id: Id
    change: Annotated[Id, Field(
        description="created, message_added, reply_sent, reply_failed, ...")]
    status: ConversationStatus
    platform: Platform
    brand_account: Id
    customer_id: Id
    queue: Name
    priority: int = Field(ge=0, le=100)
    message_count: NonNegativeInt64
    first_response_due_at: Timestamp
    first_response_at: Timestamp | None = None
    updated_at: Timestamp
    version: NonNegativeInt64 | None = Field(
        default=None, ge=1,
        description="The conversation's version after this change: one conversation's events "
                    "are published in order, and a repeat (at-least-once) carries the same "
                    "version, so a consumer keeps the highest it has seen")


class ReplyKind(StrEnum):
    PUBLIC = "public"
    DIRECT = "direct"


class ReplyRequested(Contract):
    """An agent's reply, ready to send; ``reply_id`` is the idempotency key end to end."""

    reply_id: Annotated[Id, Field(max_length=64)]
    conversation_id: Id
    platform: Platform
    brand_account: Id
    kind: ReplyKind
    in_reply_to_id: Id | None = Field(default=None, description="Platform id; public replies")
    recipient_id: Annotated[Id, Field(description="Customer's platform id; direct messages")]
    text: Annotated[CleanText, Field(min_length=1, max_length=MAX_TEXT_LENGTH)]
    agent_id: Id
    requested_at: Timestamp
    media_ids: tuple[Id, ...] = Field(
        default=(), max_length=4, description="Platform media ids already uploaded by the brand")
    private_data: bool = Field(
        default=False, description="The classifier saw personal data: a brand may force a DM")
    priority: int = Field(default=0, ge=0, le=100, description=(
        "The conversation's priority: when a platform's send budget is short, higher first"))
    bulk: bool = Field(default=False, description=(
        "One of many copies of a reply (a cluster answered at once): sent after one-offs"))


class ReplySent(Contract):
    reply_id: Id
    conversation_id: Id
    platform: Platform
    platform_message_id: Id
    permalink: str | None = None
    requested_at: Timestamp
    sent_at: Timestamp


class ReplyFailed(Contract):
    reply_id: Id
    conversation_id: Id
    platform: Platform
    code: str = Field(description="invalid_argument, permission_denied, unavailable, ...")
    reason: str = Field(description="What an agent can act on")
    requested_at: Timestamp
    failed_at: Timestamp


class ClassifierRulesChanged(Contract):
    """A brand's classifier taxonomy (keyword phrases and learned model) became active."""

    brand: Id
    version: Annotated[CleanText, Field(min_length=1, max_length=MAX_NAME_LENGTH, description=(
        "Taxonomy version, stamped into model_version"))]
    taxonomy: dict[str, Any] | None = Field(
        default=None, description="Keyword phrases and model as JSON; absent removes the brand's")
    changed_by: Name | None = None
    changed_at: Timestamp


class DeepModelChanged(Contract):
    """A deep-stage model activated (or removed: ``model`` None) on every deep worker."""

    kind: Name = Field(description="What the model decides: 'sentiment' (the deep sentiment "
                       "head), or 'intents@<brand>' (a brand's intent prototypes, brand "
                       "lowercase)")
    version: Annotated[CleanText, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
    model: dict[str, Any] | None = Field(
        default=None, description="The artifact train-deep-sentiment or "
                                  "train-intent-prototypes wrote (weights or prototypes, and "
                                  "metadata)")
    changed_by: Name | None = None
    changed_at: Timestamp


class DeadLettered(Contract):
    """A record no consumer could process, kept byte for byte with why and where."""

    reason: str
    stage: str
    service: str
    source_topic: str
    partition: Int64
    offset: Int64
    key_base64: str | None = None
    value_base64: str
    headers: dict[str, str] = {}
    dead_lettered_at: Timestamp


EVENT_TOPICS: Final[dict[type[Contract], str]] = {
    MessageReceived: topics.MESSAGES_RECEIVED,
    MessageClassified: topics.MESSAGES_CLASSIFIED,
    ClassificationRefined: topics.CLASSIFICATIONS_REFINED,
    ConversationUpdated: topics.CONVERSATIONS_UPDATED,
    ReplyRequested: topics.REPLIES_REQUESTED,
    ReplySent: topics.REPLIES_SENT,
    ReplyFailed: topics.REPLIES_FAILED,
    DeadLettered: topics.DEADLETTER,
    ClassifierRulesChanged: topics.CLASSIFIER_RULES,
    IncidentUpdated: topics.INCIDENTS,
    DeepModelChanged: topics.DEEP_MODELS,
}
