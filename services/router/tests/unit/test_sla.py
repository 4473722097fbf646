from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.domain.sla import BusinessHours, SlaPolicy

pytestmark = pytest.mark.unit
NY = ZoneInfo("America/New_York")


def test_in_hours_message_is_due_within_one_hour() -> None:
    policy = SlaPolicy(BusinessHours(timezone="America/New_York"))
    received = datetime(2026, 11, 24, 10, 30, tzinfo=NY)  # a Tuesday morning
    assert policy.first_response_due(received) == received + timedelta(hours=1)


def test_after_hours_and_weekend_messages_are_due_within_twelve_hours() -> None:
    policy = SlaPolicy(BusinessHours(timezone="America/New_York"))
    evening = datetime(2026, 11, 24, 17, 0, tzinfo=NY)  # closing time is already closed
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=NY)
    assert policy.first_response_due(evening) == evening + timedelta(hours=12)
    assert policy.first_response_due(saturday) == saturday + timedelta(hours=12)


def test_holidays_are_closed() -> None:
    hours = BusinessHours(timezone="America/New_York", holidays=frozenset({date(2026, 11, 26)}))
    assert not hours.is_open(datetime(2026, 11, 26, 10, tzinfo=NY))
    assert hours.is_open(datetime(2026, 11, 27, 10, tzinfo=NY))


def test_opening_hours_are_read_in_the_brand_time_zone_across_dst() -> None:
    hours = BusinessHours(timezone="America/New_York")
    # 13:30 UTC is 09:30 in New York in summer (EDT) but 08:30 in winter (EST).
    assert hours.is_open(datetime(2026, 7, 7, 13, 30, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 12, 8, 13, 30, tzinfo=UTC))


def test_ceiling_caps_any_target() -> None:
    policy = SlaPolicy(after_hours_target=timedelta(hours=48), ceiling=timedelta(hours=24))
    received = datetime(2026, 11, 28, 3, tzinfo=UTC)
    assert policy.first_response_due(received) == received + timedelta(hours=24)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        SlaPolicy().first_response_due(datetime(2026, 11, 24, 10))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1),
                    timezones=st.sampled_from([UTC, NY, ZoneInfo("Asia/Tokyo")])))
def test_due_time_is_one_or_twelve_hours_by_opening(received: datetime) -> None:
    policy = SlaPolicy(BusinessHours(timezone="Europe/Madrid",
                                     weekly={d: (time(8), time(20)) for d in range(6)}))
    due = policy.first_response_due(received)
    expected = timedelta(hours=1) if policy.hours.is_open(received) else timedelta(hours=12)
    assert due - received == expected
