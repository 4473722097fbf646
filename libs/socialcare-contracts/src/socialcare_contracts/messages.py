"""The normalized customer message every platform adapter produces."""

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

MAX_TEXT_LENGTH = 10_000


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
    """Base of every wire model: unknown fields are refused, so typos fail loudly."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(Contract):
    id: str = Field(min_length=1, max_length=128)
    handle: str | None = Field(default=None, max_length=128)
    display_name: str | None = Field(default=None, max_length=256)
    followers: int | None = Field(default=None, ge=0)
    verified: bool = False


class Attachment(Contract):
    kind: str = Field(max_length=32, description="image, video, file, link")
    url: str = Field(max_length=2048)


class NormalizedMessage(Contract):
    """One customer message, whatever platform it came from."""

    platform: Platform
    channel: ChannelKind
    brand_account: str = Field(min_length=1, max_length=128)
    platform_message_id: str = Field(min_length=1, max_length=128)
    thread_id: str | None = Field(
        default=None, max_length=128, description="Root post or platform conversation id"
    )
    in_reply_to_id: str | None = Field(default=None, max_length=128)
    author: Author
    text: str = Field(max_length=MAX_TEXT_LENGTH)
    attachments: tuple[Attachment, ...] = Field(default=(), max_length=20)
    language_hint: str | None = Field(default=None, max_length=16)
    created_at: AwareDatetime
    received_at: AwareDatetime | None = None
    from_brand: bool = Field(
        default=False, description="An agent's own message (imported history), not a customer's"
    )

    def conversation_key(self) -> str:
        """Kafka key: one customer on one brand account stays on one partition, in order."""
        return f"{self.platform.value}:{self.brand_account}:{self.author.id}"

