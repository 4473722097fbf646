"""Response models of the inbox API, built from stored documents."""

import base64
import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from socialcare_contracts.events import ReplyKind
from socialcare_contracts.limits import TIMESTAMP_PATTERN, CleanText, Id, Timestamp
from socialcare_router.domain.conversation import Conversation


def _as_documented(value: object) -> object:
    """``value`` if it is written as the schema's pattern says: a query string is always
    text, and pydantic would otherwise read "0.5" as epoch seconds."""
    if isinstance(value, str) and re.match(TIMESTAMP_PATTERN, value) is None:
        raise ValueError("must be an ISO 8601 date-time with an offset, year 1970..2100")
    return value


QueryTimestamp = Annotated[Timestamp, BeforeValidator(_as_documented)]
"""A ``Timestamp`` in a query string."""


class ConversationSummary(BaseModel):
    id: str
    status: str = Field(description="open, waiting_on_customer or resolved")
    state: str | None = Field(default=None, description="new, assigned, answered, "
                              "waiting_on_customer, resolved or reopened")
    queue: str
    platform: str
    brand_account: str
    channel: str
    customer: dict[str, Any]
    priority: int
    language: str | None = None
    sentiment: str | None = Field(default=None, description="Of the latest customer message")
    worst_sentiment: str | None = Field(default=None, description="Of any customer message")
    intents: list[str] = Field(default=[], description="Of every customer message")
    private_data: bool = Field(default=False,
                               description="Personal data seen: recommend a direct message")
    message_count: int
    first_response_due_at: datetime
    first_response_at: datetime | None = None
    next_response_due_at: datetime | None = Field(
        default=None, description="The customer wrote again after our answer: due by then")
    due_at: datetime | None = Field(default=None, description="The deadline that runs now "
                                    "(response, else resolution): queue views sort by it")
    reply_window_closes_at: datetime | None = Field(
        default=None, description="The platform's window for direct replies (Meta: 24 h)")
    resolution_due_at: datetime | None = None
    resolved_at: datetime | None = None
    last_message_at: datetime
    created_at: datetime
    updated_at: datetime
    assignee: str | None = None
    tags: list[str] = []
    rule_id: str | None = Field(default=None, description="The routing rule that matched")
    escalation: str | None = Field(default=None, description="none, at_risk or breached")
    snoozed_until: datetime | None = None
    first_words: str | None = Field(default=None,
                                    description="The start of the customer's latest message")

    @classmethod
    def of(cls, doc: dict[str, Any] | Conversation) -> "ConversationSummary":
        if isinstance(doc, Conversation):
            doc = doc.to_document()
        return cls(id=doc["_id"], message_count=len(doc.get("message_keys", ())),
                   **{k: v for k, v in doc.items() if k in cls.model_fields and k != "id"})


class QueuePage(BaseModel):
    items: list[ConversationSummary]
    next_cursor: str | None = Field(description="Pass as ?after= for the next page")


class ThreadMessage(BaseModel):
    id: str
    direction: Literal["inbound", "outbound"]
    platform_message_id: str
    channel: str
    author: dict[str, Any]
    text: str
    created_at: datetime
    classification: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] = []


class ReplyView(BaseModel):
    id: str
    status: Literal["requested", "sent", "failed"]
    kind: ReplyKind
    text: str
    agent_id: str
    requested_at: datetime
    platform_message_id: str | None = None
    permalink: str | None = None
    sent_at: datetime | None = None
    reason: str | None = None


class NoteView(BaseModel):
    id: str
    author_id: str
    text: str
    created_at: datetime


class ConversationDetail(BaseModel):
    conversation: ConversationSummary
    messages: list[ThreadMessage]
    replies: list[ReplyView]
    notes: list[NoteView] = []
    history: list[dict[str, Any]] = Field(
        default=[], description="Claims, releases and transfers, oldest first")


class ReplyRequest(BaseModel):
    """Either ``text`` or a ``saved_reply`` id with its ``variables``."""

    # The schema says what the validator does: exactly one of text and saved_reply is a
    # string (null is none).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [
        {"required": [name], "properties": {name: {"type": "string"}}}
        for name in ("text", "saved_reply")]})
    text: Annotated[CleanText, Field(min_length=1, max_length=10_000)] | None = None
    saved_reply: Annotated[Id, Field(max_length=64)] | None = None
    variables: dict[str, Annotated[CleanText, Field(max_length=1_000)]] = Field(
        default={}, max_length=20,
        description="Values such as order_number or link; customer_name, agent_name and "
                    "agent_initials are filled in unless given")
    kind: ReplyKind = ReplyKind.PUBLIC
    media_ids: list[Id] = Field(default=[], max_length=4,
                                 description="Platform media ids to attach (uploaded already)")

    @model_validator(mode="after")
    def _one_source(self) -> "ReplyRequest":
        if (self.text is None) == (self.saved_reply is None):
            raise ValueError("give either text or saved_reply")
        return self


class ReplyAccepted(BaseModel):
    reply_id: str
    status: str


def encode_cursor(due: datetime, conversation_id: str, priority: int | None = None) -> str:
    """Where a page ended: (due, id) in deadline order, (priority, due, id) by priority."""
    position = [due.isoformat(), conversation_id] + ([] if priority is None else [priority])
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str, int | None]:
    """Raises ValueError on anything that is not a cursor this API made."""
    due, conversation_id, *rest = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    if len(rest) > 1 or rest and not isinstance(rest[0], int):
        raise ValueError("not a cursor")
    return datetime.fromisoformat(due), str(conversation_id), rest[0] if rest else None


def doc_id_view(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored document with ``_id`` renamed to ``id``, for the views above."""
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
