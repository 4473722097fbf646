from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class SendReplyRequest(_message.Message):
    __slots__ = ("idempotency_key", "brand_account", "in_reply_to_message_id", "text", "media_ids", "platform")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    BRAND_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    IN_REPLY_TO_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_IDS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    brand_account: str
    in_reply_to_message_id: str
    text: str
    media_ids: _containers.RepeatedScalarFieldContainer[str]
    platform: str
    def __init__(self, idempotency_key: _Optional[str] = ..., brand_account: _Optional[str] = ..., in_reply_to_message_id: _Optional[str] = ..., text: _Optional[str] = ..., media_ids: _Optional[_Iterable[str]] = ..., platform: _Optional[str] = ...) -> None: ...

class SendDirectMessageRequest(_message.Message):
    __slots__ = ("idempotency_key", "brand_account", "recipient_id", "text", "media_ids", "platform")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    BRAND_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_IDS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    brand_account: str
    recipient_id: str
    text: str
    media_ids: _containers.RepeatedScalarFieldContainer[str]
    platform: str
    def __init__(self, idempotency_key: _Optional[str] = ..., brand_account: _Optional[str] = ..., recipient_id: _Optional[str] = ..., text: _Optional[str] = ..., media_ids: _Optional[_Iterable[str]] = ..., platform: _Optional[str] = ...) -> None: ...

class SendResult(_message.Message):
    __slots__ = ("platform_message_id", "permalink", "duplicate")
    PLATFORM_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    PERMALINK_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    platform_message_id: str
    permalink: str
    duplicate: bool
    def __init__(self, platform_message_id: _Optional[str] = ..., permalink: _Optional[str] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class GetCapabilitiesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Capabilities(_message.Message):
    __slots__ = ("platform", "max_reply_length", "max_direct_message_length", "supports_direct_messages", "supports_attachments", "length_counting", "requests_per_window", "window_seconds", "direct_messages_per_window", "direct_message_window_seconds")
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    MAX_REPLY_LENGTH_FIELD_NUMBER: _ClassVar[int]
    MAX_DIRECT_MESSAGE_LENGTH_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_DIRECT_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    SUPPORTS_ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    LENGTH_COUNTING_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_WINDOW_FIELD_NUMBER: _ClassVar[int]
    WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DIRECT_MESSAGES_PER_WINDOW_FIELD_NUMBER: _ClassVar[int]
    DIRECT_MESSAGE_WINDOW_SECONDS_FIELD_NUMBER: _ClassVar[int]
    platform: str
    max_reply_length: int
    max_direct_message_length: int
    supports_direct_messages: bool
    supports_attachments: bool
    length_counting: str
    requests_per_window: int
    window_seconds: int
    direct_messages_per_window: int
    direct_message_window_seconds: int
    def __init__(self, platform: _Optional[str] = ..., max_reply_length: _Optional[int] = ..., max_direct_message_length: _Optional[int] = ..., supports_direct_messages: _Optional[bool] = ..., supports_attachments: _Optional[bool] = ..., length_counting: _Optional[str] = ..., requests_per_window: _Optional[int] = ..., window_seconds: _Optional[int] = ..., direct_messages_per_window: _Optional[int] = ..., direct_message_window_seconds: _Optional[int] = ...) -> None: ...
