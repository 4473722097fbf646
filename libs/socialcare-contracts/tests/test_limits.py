import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError

from socialcare_contracts import limits
from socialcare_contracts.limits import CleanText, Id, Int64, Name, NonNegativeInt64, Timestamp

pytestmark = pytest.mark.unit


class Door(BaseModel):
    at: Timestamp
    count: NonNegativeInt64 = 0
    delta: Int64 = 0
    text: Annotated[CleanText, Field(max_length=20)] = ""
    id: Id = "a"
    name: Name = "a"


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
                                   "1969-12-30T23:59:59Z", "2101-01-02T00:00:00Z",
                                   "1969-12-31T23:59:59-01:00"])
def test_timestamps_outside_the_years_are_refused_with_the_reason(stamp: str) -> None:
    with pytest.raises(ValidationError, match="year must be 1970..2100"):
        Door.model_validate_json(f'{{"at": "{stamp}"}}')


@pytest.mark.parametrize("stamp, utc", [
    ("2100-12-31T23:59:59-23:59", datetime(2101, 1, 1, 23, 58, 59, tzinfo=UTC)),
    ("1970-01-01T00:00:00+23:59", datetime(1969, 12, 31, 0, 1, tzinfo=UTC))])
def test_any_offset_is_normalised_to_utc_and_read_back(stamp: str, utc: datetime) -> None:
    door = Door.model_validate_json(f'{{"at": "{stamp}"}}')
    assert door.at == utc and door.at.utcoffset() == timedelta(0)
    assert Door.model_validate_json(door.model_dump_json()) == door  # as consumers read it
    assert re.match(limits.TIMESTAMP_PATTERN, door.model_dump(mode="json")["at"])


@pytest.mark.parametrize("stamp", ["2101-01-01T00:00:00+01:00", "2101-01-02T00:00:00Z",
                                   "1969-12-30T23:00:00Z"])
def test_only_utc_values_reach_a_day_past_the_years(stamp: str) -> None:
    with pytest.raises(ValidationError, match="year must be"):
        Door.model_validate_json(f'{{"at": "{stamp}"}}')
    assert not re.match(limits.TIMESTAMP_PATTERN, stamp)


@pytest.mark.parametrize("field,value", [
    ("count", 10**30), ("count", -1), ("count", 2**53), ("delta", 2**63), ("delta", -(2**53)),
    ("count", "5"), ("count", True), ("count", 1.5), ("at", 1_700_000_000)])
def test_integers_beyond_json_exactness_and_values_of_another_json_type_are_refused(
        field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Door.model_validate({"at": "2026-01-01T00:00:00Z", field: value})


def test_the_largest_integers_and_integral_floats_are_accepted() -> None:
    door = Door.model_validate({"at": "2026-01-01T00:00:00Z", "count": 2**53 - 1,
                                "delta": -5.0})
    assert door.count == limits.MAX_SAFE_INTEGER and door.delta == -5
    assert limits.MAX_SAFE_INTEGER < limits.INT64_MAX  # stored as a 64-bit integer


@pytest.mark.parametrize("field,value,reason", [
    ("text", "a\x00b", "U\\+0000 at 1"), ("text", "\x1b[31m", "U\\+001B"),
    ("text", "\ud800", "U\\+D800"), ("id", "a b", "U\\+0020"), ("id", "a\x85", "U\\+0085"),
    ("name", " queue", "whitespace"), ("name", "q\x00", "U\\+0000"),
])
def test_control_characters_are_refused_with_where(field: str, value: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Door.model_validate({"at": "2026-01-01T00:00:00Z", field: value})


def test_text_keeps_tabs_newlines_and_emoji() -> None:
    door = Door.model_validate({"at": "2026-01-01T00:00:00Z", "text": "a\tb\r\nc ✨",
                                "name": "Billing team"})
    assert door.text == "a\tb\r\nc ✨" and door.name == "Billing team"


def ecma(pattern: str) -> str:
    """A schema pattern as a JSON Schema validator reads it: "$" is the end of the text,
    where Python's also matches before a final newline."""
    return pattern.removesuffix("$") + r"\Z"


@given(st.text(max_size=30))
def test_the_schema_pattern_and_the_validator_agree_on_text(value: str) -> None:
    by_pattern = re.search(ecma(limits.CLEAN_TEXT_PATTERN), value) is not None
    try:
        limits.clean_text(value)
        by_validator = True
    except ValueError:
        by_validator = False
    assert by_pattern == by_validator


@given(st.text(min_size=1, max_size=30))
def test_the_schema_pattern_and_the_validator_agree_on_ids_and_names(value: str) -> None:
    for pattern, check in [(limits.ID_PATTERN, limits.clean_id),
                           (limits.NAME_PATTERN, limits.clean_name)]:
        try:
            check(value)
            accepted = True
        except ValueError:
            accepted = False
        assert (re.search(ecma(pattern), value) is not None) == accepted, (pattern, value)


@given(st.datetimes(timezones=st.just(timezone(timedelta(hours=23, minutes=59)))
                    | st.just(timezone(-timedelta(hours=23, minutes=59))) | st.just(UTC)))
@example(datetime(2100, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))))
@example(datetime(1970, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))))
@example(datetime(2101, 1, 1, 12, tzinfo=UTC))
def test_every_accepted_timestamp_converts_and_fits_mongodb(value: datetime) -> None:
    try:
        stored = limits.bounded_utc(value)
    except ValueError:
        assert not re.match(limits.TIMESTAMP_PATTERN, value.isoformat())
        return
    assert re.match(limits.TIMESTAMP_PATTERN, value.isoformat())
    assert stored.tzinfo is UTC and limits.bounded_utc(stored) == stored  # read back
    assert re.match(limits.TIMESTAMP_PATTERN, stored.isoformat())
    assert limits.INT64_MIN < stored.timestamp() * 1000 < limits.INT64_MAX
