"""The limits every door checks, so what an API answers 2xx to can be stored downstream.

MongoDB keeps dates as 64-bit milliseconds and integers as 64-bit; Python's datetime stops
at year 9999 and a far offset overflows on the way to UTC; BSON and the gateways refuse
lone surrogates and NUL. Every field that reaches Kafka or MongoDB is typed with one of
these, and each type's JSON Schema says the same thing as its validator (a ``pattern``
or bounds), so OpenAPI documents and fuzzers see the real rule.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Final

from pydantic import AfterValidator, AwareDatetime, Field

MIN_YEAR: Final = 1970
MAX_YEAR: Final = 2100
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
MAX_ID_LENGTH: Final = 128
MAX_NAME_LENGTH: Final = 200
MAX_URL_LENGTH: Final = 2048
MAX_TEXT_LENGTH: Final = 10_000

# The year as written (before the offset is applied) is bounded, which a JSON Schema
# pattern can state; after normalising to UTC the instant stays within a day of it.
TIMESTAMP_PATTERN: Final = rf"^(19[7-9]\d|20\d\d|{MAX_YEAR})-"
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
    """``value`` in UTC, or ValueError when naive or its year is outside MIN_YEAR..MAX_YEAR."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp needs a UTC offset")
    # Checked before converting: 9999-12-31T23:59:59-23:59 overflows in astimezone.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"timestamp year must be {MIN_YEAR}..{MAX_YEAR}, got {value.year}")
    return value.astimezone(UTC)


Timestamp = Annotated[
    AwareDatetime, AfterValidator(bounded_utc),
    Field(json_schema_extra={"pattern": TIMESTAMP_PATTERN}),
]
"""An aware date-time, year MIN_YEAR..MAX_YEAR as written, any offset, stored in UTC."""

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
"""An integer MongoDB can store (signed 64-bit)."""

NonNegativeInt64 = Annotated[int, Field(ge=0, le=INT64_MAX)]
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

Name = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, json_schema_extra={"pattern": NAME_PATTERN}),
    AfterValidator(clean_name),
]
"""A name a person types (queue, category, brand label): inner spaces allowed."""
