from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListSentRequest(_message.Message):
    __slots__ = ("idempotency_key",)
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    def __init__(self, idempotency_key: _Optional[str] = ...) -> None: ...

class SentRecord(_message.Message):
    __slots__ = ("idempotency_key", "kind", "brand_account", "target_id", "text", "platform_message_id", "sent_at_unix_ms", "attempts", "media_ids")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BRAND_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    MEDIA_IDS_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    kind: str
    brand_account: str
    target_id: str
    text: str
    platform_message_id: str
    sent_at_unix_ms: int
    attempts: int
    media_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, idempotency_key: _Optional[str] = ..., kind: _Optional[str] = ..., brand_account: _Optional[str] = ..., target_id: _Optional[str] = ..., text: _Optional[str] = ..., platform_message_id: _Optional[str] = ..., sent_at_unix_ms: _Optional[int] = ..., attempts: _Optional[int] = ..., media_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListSentResponse(_message.Message):
    __slots__ = ("records",)
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[SentRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[SentRecord, _Mapping]]] = ...) -> None: ...

class Faults(_message.Message):
    __slots__ = ("failure_rate", "delay_ms", "rate_limit_per_second", "response_delay_ms")
    FAILURE_RATE_FIELD_NUMBER: _ClassVar[int]
    DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_DELAY_MS_FIELD_NUMBER: _ClassVar[int]
    failure_rate: float
    delay_ms: int
    rate_limit_per_second: int
    response_delay_ms: int
    def __init__(self, failure_rate: _Optional[float] = ..., delay_ms: _Optional[int] = ..., rate_limit_per_second: _Optional[int] = ..., response_delay_ms: _Optional[int] = ...) -> None: ...
