"""The limits every door checks, so what an API answers 2xx to can be stored downstream.

MongoDB keeps dates as 64-bit milliseconds and integers as 64-bit; Python's datetime stops
at year 9999 and a far offset overflows on the way to UTC; BSON and the gateways refuse
lone surrogates and NUL. Every field that reaches Kafka or MongoDB is typed with one of
these, and each type's JSON Schema says the same thing as its validator (a ``pattern``
or bounds), so OpenAPI documents and fuzzers see the real rule.
"""

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Final

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

MIN_YEAR: Final = 1970
MAX_YEAR: Final = 2100
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
MAX_SAFE_INTEGER: Final = 2**53 - 1
MAX_ID_LENGTH: Final = 128
MAX_NAME_LENGTH: Final = 200
MAX_URL_LENGTH: Final = 2048
MAX_TEXT_LENGTH: Final = 10_000

# The year as written (before the offset is applied) is bounded, which a JSON Schema
# pattern can state. Normalised to UTC, an extreme offset moves the instant at most a day
# past those years (2100-12-31T23:59-23:59 is 2101-01-01T23:58Z): those UTC values are
# accepted too, so a normalised timestamp is read back by every consumer.
TIMESTAMP_PATTERN: Final = (rf"^((19[7-9]\d|20\d\d|{MAX_YEAR})-|({MIN_YEAR - 1}-12-31|"
                            rf"{MAX_YEAR + 1}-01-01)T[^+-]*([Zz]|[+-]00:?00)$)")
# C0 controls except tab, newline and carriage return (platform texts carry CRLF), DEL.
CLEAN_TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# Ids: no whitespace, no control characters (C0, DEL, C1).
ID_PATTERN: Final = r"^[^\s\x00-\x1f\x7f-\x9f]+$"
# Names a person types (queues, categories, labels): spaces inside, no controls, not blank.
NAME_PATTERN: Final = r"^[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"

# What each validator refuses, lone surrogates included (BSON and UTF-8 cannot carry them).
_REFUSED_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_REFUSED_IN_ID = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _check_chars(value: str, refused: re.Pattern[str]) -> str:
    if (found := refused.search(value)) is not None:
        raise ValueError(f"forbidden character U+{ord(found.group()):04X} at {found.start()}")
    return value


def clean_text(value: str) -> str:
    """``value`` unchanged, or ValueError naming the first control character or surrogate."""
    return _check_chars(value, _REFUSED_IN_TEXT)


def clean_id(value: str) -> str:
    """``value`` unchanged, or ValueError naming its first whitespace or control character."""
    return _check_chars(value, _REFUSED_IN_ID)


def clean_name(value: str) -> str:
    """``value`` unchanged, or ValueError: a control character, or blank at either end."""
    _check_chars(value, _REFUSED_IN_NAME)
    if value != value.strip():
        raise ValueError("name starts or ends with whitespace")
    return value


def bounded_utc(value: datetime) -> datetime:
    """``value`` in UTC, or ValueError when naive or its year is outside MIN_YEAR..MAX_YEAR
    (a UTC value may be the day before or after them: see TIMESTAMP_PATTERN)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp needs a UTC offset")
    # Checked before converting: 9999-12-31T23:59:59-23:59 overflows in astimezone.
    if not MIN_YEAR <= value.year <= MAX_YEAR and not (
            value.utcoffset() == timedelta(0) and value.date() in _EDGE_DAYS):
        raise ValueError(f"timestamp year must be {MIN_YEAR}..{MAX_YEAR}, got {value.year}")
    return value.astimezone(UTC)


_EDGE_DAYS = (date(MIN_YEAR - 1, 12, 31), date(MAX_YEAR + 1, 1, 1))


def iso_text(value: object) -> object:
    """``value`` unless it is a number: the schema says a date-time string (Python callers
    pass datetimes), and pydantic would otherwise read 1700000000 as epoch seconds."""
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 date-time string with an offset")
    return value


Timestamp = Annotated[
    AwareDatetime, AfterValidator(bounded_utc),
    Field(json_schema_extra={"pattern": TIMESTAMP_PATTERN}), BeforeValidator(iso_text),
]
"""An aware date-time, year MIN_YEAR..MAX_YEAR as written, any offset, stored in UTC."""


def json_number(value: object) -> object:
    """``value`` unless it is a string or a boolean: a JSON Schema number is neither, so
    "5" and true are refused as they would be by any client checking the schema."""
    if isinstance(value, str | bool):
        raise ValueError("must be a JSON number, not a string or boolean")
    return value


# Bounded to JSON's exact integers (2**53 - 1, JavaScript's MAX_SAFE_INTEGER), well inside
# MongoDB's 64 bits: beyond it a JSON parser may round, and OpenAPI tools carry bounds as
# floats, which state 2**53 - 1 exactly (INT64_MAX itself rounds up to 2**63).
# A validator goes after the bounds (before them, pydantic cannot put them in the schema);
# an integral float (5.0) is an integer to JSON Schema, so it is accepted.
Int64 = Annotated[int, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER),
                  BeforeValidator(json_number)]
"""An integer every JSON client reads exactly and MongoDB stores as a 64-bit integer."""

NonNegativeInt64 = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER), BeforeValidator(json_number)]
"""A count or size MongoDB can store."""

CleanText = Annotated[
    str, AfterValidator(clean_text), Field(json_schema_extra={"pattern": CLEAN_TEXT_PATTERN}),
]
"""Free text without NUL, C0 controls other than tab/newline/CR, DEL or lone surrogates;
bound its length where used (``Annotated[CleanText, Field(max_length=...)]``)."""

Id = Annotated[
    str, Field(min_length=1, max_length=MAX_ID_LENGTH, json_schema_extra={"pattern": ID_PATTERN}),
    AfterValidator(clean_id),
]
"""A platform, brand or record id: 1..MAX_ID_LENGTH characters, no whitespace or controls."""

Url = Annotated[
    str, Field(min_length=1, max_length=MAX_URL_LENGTH, json_schema_extra={"pattern": ID_PATTERN}),
    AfterValidator(clean_id),
]
"""A link: 1..MAX_URL_LENGTH characters, no whitespace or controls (the scheme is not checked)."""


def keys_like(pattern: str, max_length: int) -> dict[str, object]:
    """``json_schema_extra`` stating the keys of a dict field (pydantic states only values)."""
    return {"propertyNames": {"minLength": 1, "maxLength": max_length, "pattern": pattern}}


Fraction = Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]
"""A share or probability: a JSON number 0..1 (no string, no NaN)."""

Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, json_schema_extra={"pattern": NAME_PATTERN}),
    AfterValidator(clean_name),
]
"""A name a person types (queue, category, brand label): inner spaces allowed."""
