"""The normalized customer message every platform adapter produces."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from socialcare_contracts.limits import (
    MAX_TEXT_LENGTH,
    CleanText,
    Id,
    NonNegativeInt64,
    Timestamp,
    Url,
)


class Platform(StrEnum):
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    API = "api"


class ChannelKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    COMMENT = "comment"
    DIRECT_MESSAGE = "direct_message"


class Contract(BaseModel):
    """Base of every wire model: unknown fields are refused, so a producer's typo fails
    loudly; consumers read through ``cloudevents.decode``, which tolerates them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(Contract):
    id: Id
    handle: Id | None = None
    display_name: Annotated[CleanText, Field(max_length=256)] | None = None
    followers: NonNegativeInt64 | None = None
    verified: StrictBool = False


class Attachment(Contract):
    kind: Annotated[Id, Field(max_length=32, description="image, video, file, link")]
    url: Url


class NormalizedMessage(Contract):
    """One customer message, whatever platform it came from."""

    platform: Platform
    channel: ChannelKind
    brand_account: Id
    platform_message_id: Id
    thread_id: Id | None = Field(default=None, description="Root post or platform conversation id")
    in_reply_to_id: Id | None = None
    author: Author
    text: Annotated[CleanText, Field(max_length=MAX_TEXT_LENGTH)]
    attachments: tuple[Attachment, ...] = Field(default=(), max_length=20)
    language_hint: Annotated[Id, Field(max_length=16)] | None = None
    created_at: Timestamp
    received_at: Timestamp | None = None
    from_brand: StrictBool = Field(
        default=False, description="An agent's own message (imported history), not a customer's"
    )

    def conversation_key(self) -> str:
        """Kafka key: one customer on one brand account stays on one partition, in order."""
        return f"{self.platform.value}:{self.brand_account}:{self.author.id}"

