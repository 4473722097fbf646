"""CloudEvents 1.0 binary mode over Kafka: attributes in ``ce_*`` headers, data as the value."""

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from pydantic import ValidationError

from socialcare_contracts import tolerant
from socialcare_contracts.events import EVENT_TOPICS
from socialcare_contracts.messages import Contract

T = TypeVar("T", bound=Contract)

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
Headers = list[tuple[str, bytes]]


class InvalidEvent(ValueError):
    """A record that is not a valid event of the expected type; the message says why."""


@dataclass(frozen=True)
class Envelope(Generic[T]):
    id: str
    type: str
    source: str
    time: datetime
    data: T
    extensions: Mapping[str, str]


def event_type(model: type[Contract]) -> str:
    """The CloudEvents type of a payload model (its topic name)."""
    return EVENT_TOPICS[model]


def encode(
    data: Contract,
    *,
    source: str,
    event_id: str | None = None,
    time: datetime | None = None,
    extensions: Mapping[str, str] | None = None,
) -> tuple[bytes, Headers]:
    """Serializes a payload and its CloudEvents attributes for a Kafka record."""
    headers: Headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", (event_id or str(uuid.uuid4())).encode()),
        ("ce_type", event_type(type(data)).encode()),
        ("ce_source", source.encode()),
        ("ce_time", (time or datetime.now(UTC)).isoformat().encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    headers.extend((k, v.encode()) for k, v in (extensions or {}).items())
    return data.model_dump_json(exclude_none=True).encode(), headers


def header_map(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """Kafka headers as a str dict; undecodable values are replaced, never raised on."""
    return {k: (v or b"").decode("utf-8", "replace") for k, v in (headers or ())}


def decode(value: bytes | None, headers: Iterable[tuple[str, bytes | None]] | None,
           model: type[T]) -> Envelope[T]:
    """Parses a record into an envelope of ``model``, or raises InvalidEvent with the cause.

    The one decode every consumer uses, and a tolerant reader: fields and enum values a
    newer producer added are dropped or read by ``tolerant``'s rules, never refused.
    """
    attrs = header_map(headers)
    expected = event_type(model)
    if attrs.get("ce_type") != expected:
        raise InvalidEvent(f"ce_type is {attrs.get('ce_type')!r}, expected {expected!r}")
    if attrs.get("ce_specversion") != SPEC_VERSION:
        raise InvalidEvent(f"unsupported ce_specversion {attrs.get('ce_specversion')!r}")
    for required in ("ce_id", "ce_source", "ce_time"):
        if not attrs.get(required):
            raise InvalidEvent(f"missing header {required}")
    if value is None:
        raise InvalidEvent("record has no value")
    data = _tolerant_data(value, model)
    try:
        time = datetime.fromisoformat(attrs["ce_time"])
    except ValueError as exc:
        raise InvalidEvent(f"invalid ce_time: {exc}") from None
    extensions = {k: v for k, v in attrs.items() if not k.startswith("ce_") and k != "content-type"}
    return Envelope(attrs["ce_id"], expected, attrs["ce_source"], time, data, extensions)


def _tolerant_data(value: bytes, model: type[T]) -> T:
    """The payload as ``model``: strictly when it fits (the fast path), else after dropping
    what a newer producer added (``tolerant.prune``); InvalidEvent if it still does not."""
    try:
        return model.model_validate_json(value)
    except ValidationError:
        pass
    try:
        document = json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise InvalidEvent(f"invalid {model.__name__}: not JSON ({exc})") from None
    try:
        return model.model_validate(tolerant.prune(model, document))
    except ValidationError as exc:
        raise InvalidEvent(f"invalid {model.__name__}: {_first_errors(exc)}") from None


def _first_errors(exc: ValidationError, limit: int = 3) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()]
    return "; ".join(parts[:limit])
