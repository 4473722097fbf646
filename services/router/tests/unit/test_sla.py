from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.domain.sla import (
    BusinessHours,
    PriorityTargets,
    SlaPolicy,
    at_risk_at,
    escalation_step,
    resume_after_pause,
)

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


def test_higher_priorities_get_their_own_targets() -> None:
    urgent = PriorityTargets(70, timedelta(minutes=15), timedelta(hours=2), timedelta(hours=4))
    policy = SlaPolicy(by_priority=(urgent,))
    tuesday = datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert policy.first_response_due(tuesday, priority=69) == tuesday + timedelta(hours=1)
    assert policy.first_response_due(tuesday, priority=80) == tuesday + timedelta(minutes=15)
    assert policy.resolution_due(tuesday, priority=80) == tuesday + timedelta(hours=4)
    assert policy.resolution_due(tuesday) == tuesday + timedelta(hours=24)


AWARE = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1),
                     timezones=st.sampled_from([UTC, NY, ZoneInfo("Europe/Berlin")]))


@given(AWARE, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=14)),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
def test_a_pause_moves_the_deadline_by_exactly_the_paused_time(
        received: datetime, pause_after: timedelta, pause_for: timedelta) -> None:
    due = SlaPolicy(BusinessHours(timezone="America/New_York")).first_response_due(received)
    paused_at = received + pause_after
    resumed = resume_after_pause(due, paused_at, paused_at + pause_for)
    assert resumed - due == pause_for
    # A clock that "resumes" before it paused (out-of-order events) never shortens it.
    assert resume_after_pause(due, paused_at, paused_at - pause_for) == due


@given(AWARE, st.floats(min_value=0.01, max_value=1.0))
def test_the_escalation_point_lies_between_receipt_and_deadline(
        received: datetime, share: float) -> None:
    due = SlaPolicy(BusinessHours(timezone="Europe/Berlin")).first_response_due(received)
    point = at_risk_at(received, due, share)
    assert received <= point <= due
    assert abs((point - received) - (due - received) * share) < timedelta(milliseconds=1)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)))
def test_opening_is_judged_on_local_wall_time_even_on_dst_days(local: datetime) -> None:
    hours = BusinessHours(timezone="America/New_York", weekly={d: (time(9), time(17))
                                                               for d in range(7)})
    at = local.replace(tzinfo=NY)
    wall = at.astimezone(UTC).astimezone(NY)  # normalised: nonexistent times shift by DST
    assert hours.is_open(at) == (time(9) <= wall.time() < time(17))


def test_at_risk_share_must_be_a_fraction() -> None:
    with pytest.raises(ValueError):
        at_risk_at(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC), 1.5)


def test_escalation_goes_at_risk_until_the_deadline_then_breached_for_good() -> None:
    due = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert escalation_step("none", due) == ("at_risk", due)
    assert escalation_step("at_risk", due) == ("breached", None)
    assert escalation_step("breached", due) == ("breached", None)


def test_resolution_escalation_point_is_the_share_of_the_resolution_target() -> None:
    opened = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    due = SlaPolicy().resolution_due(opened)
    assert at_risk_at(opened, due, 0.75) == opened + timedelta(hours=18)
