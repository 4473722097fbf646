"""Tolerant reading: what a newer producer adds is dropped or kept, never refused.

Producers write with the strict models (unknown fields refused). A consumer reads an event
written by a newer producer during a rolling deploy: ``prune`` shapes the decoded JSON to
what this version's model knows before it is validated, so an added field is dropped and
an added enum value is read by the per-enum rule below. Everything else (types, limits,
required fields) is still validated: a broken event stays invalid.
"""

import types
from enum import StrEnum
from typing import Annotated, Any, Final, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel

from socialcare_contracts.events import ReplyKind

E = TypeVar("E", bound=StrEnum)

UNKNOWN_ENUM_READ_AS: Final[dict[type[StrEnum], StrEnum]] = {
    # The responder must never post publicly what was meant otherwise: a reply kind it
    # does not know is sent as a direct message, the private choice.
    ReplyKind: ReplyKind.DIRECT,
}
"""Required enum fields whose unknown values are read as a known member. Any other
required enum keeps the value as sent (it is passed on unchanged and compares unequal to
every known member); an optional enum field reads an unknown value as absent (None)."""


def unknown_member(enum: type[E], value: str) -> E:
    """A stand-in member of ``enum`` carrying ``value``: ``.value`` and JSON give it back."""
    member = str.__new__(enum, value)
    member._name_ = value
    member._value_ = value
    return member


def as_member(enum: type[E], value: str) -> E:
    """``value`` as a member of ``enum`` by the tolerant rule: a known member, else the
    fallback (``UNKNOWN_ENUM_READ_AS``), else a stand-in that keeps the value as sent: what a
    consumer stored from a newer producer can be passed on in its own events."""
    if value in enum._value2member_map_:
        return enum(value)
    return UNKNOWN_ENUM_READ_AS.get(enum) or unknown_member(enum, value)  # type: ignore[return-value]


def read_unknown_as(enum: type[StrEnum]) -> str:
    """How consumers read an unknown value of a required ``enum`` field (for the schemas)."""
    fallback = UNKNOWN_ENUM_READ_AS.get(enum)
    return fallback.value if fallback is not None else "kept as sent"


def prune(model: type[BaseModel], data: Any) -> Any:
    """``data`` with the fields ``model`` does not know removed and unknown enum values
    replaced, recursively; anything not shaped as expected is left for validation."""
    if not isinstance(data, dict):
        return data
    kept = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in data:
            kept[key] = _value(field.annotation, data[key], optional=False)
    return kept


def _value(annotation: Any, value: Any, optional: bool) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _value(get_args(annotation)[0], value, optional)
    if origin is Union or origin is types.UnionType:
        choices = [a for a in get_args(annotation) if a is not type(None)]
        if value is None or len(choices) != 1:
            return value
        return _value(choices[0], value, optional=True)
    if origin in (tuple, list) and isinstance(value, list):
        return [_value(get_args(annotation)[0], v, False) for v in value]
    if origin is dict and isinstance(value, dict):
        return {k: _value(get_args(annotation)[1], v, False) for k, v in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return prune(annotation, value)
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return _enum(annotation, value, optional)
    return value


def _enum(enum: type[StrEnum], value: Any, optional: bool) -> Any:
    if not isinstance(value, str) or value in enum._value2member_map_:
        return value
    if optional:
        return None
    return as_member(enum, value)
