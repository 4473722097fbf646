"""Surge rules: a rate against the brand's usual rate for that hour of the week."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.domain.surge import (
    Reading,
    SurgePolicy,
    baseline_at,
    calm,
    closes,
    hour_of_week,
    learn,
    surging,
)

pytestmark = pytest.mark.unit
POLICY = SurgePolicy()
MONDAY_9 = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


def reading(messages: int, baseline: float = 1.0) -> Reading:
    return Reading("acme", "*", messages, messages // 2, messages / POLICY.window_minutes,
                   baseline)


def test_a_surge_needs_the_factor_and_enough_messages() -> None:
    assert surging(reading(20, baseline=1.0), POLICY)  # 4/min against 1/min
    assert not surging(reading(14, baseline=1.0), POLICY)  # 2.8/min: under 3x
    assert not surging(reading(19, baseline=0.1), POLICY)  # 38x, but too few to say


def test_an_incident_closes_only_after_the_rate_stayed_calm() -> None:
    assert calm(reading(7), POLICY) and not calm(reading(8), POLICY)  # 1.4 vs 1.6 /min
    assert not closes(None, MONDAY_9, POLICY)
    assert not closes(MONDAY_9, MONDAY_9 + timedelta(minutes=4), POLICY)
    assert closes(MONDAY_9, MONDAY_9 + timedelta(minutes=5), POLICY)


def test_baselines_are_per_hour_of_the_week_with_a_default() -> None:
    assert hour_of_week(MONDAY_9) == 9
    assert baseline_at(None, MONDAY_9, POLICY) == POLICY.default_per_minute
    slots = learn(None, MONDAY_9, 2.0, POLICY)
    assert baseline_at(slots, MONDAY_9, POLICY) > POLICY.default_per_minute
    assert baseline_at(slots, MONDAY_9 + timedelta(days=1), POLICY) == \
        POLICY.default_per_minute  # Tuesday 9:00 is another slot


@given(st.lists(st.floats(0, 10_000), min_size=1, max_size=30))
def test_one_flood_never_teaches_that_a_flood_is_usual(rates: list[float]) -> None:
    slots: dict[str, float] = {}
    for rate in rates:
        before = baseline_at(slots, MONDAY_9, POLICY)
        slots = learn(slots, MONDAY_9, rate, POLICY)
        after = baseline_at(slots, MONDAY_9, POLICY)
        # One hour moves the baseline at most learning_rate of the way to learn_cap x.
        assert after <= before + POLICY.learning_rate * (
            POLICY.learn_cap * max(before, POLICY.default_per_minute) - before) + 1e-9


def test_an_incidents_routing_applies_to_its_brand_and_intent_only() -> None:
    from socialcare_router.domain.rules import RouteDecision
    from socialcare_router.domain.surge import IncidentRoute, apply_incident_routes

    decision = RouteDecision("general", ("vip",), 90, "r1")
    routes = [IncidentRoute("acme", "promo_code", "promo", 20),
              IncidentRoute("other", "*", None, 5)]
    promo = apply_incident_routes(decision, "acme", ("promo_code",), routes)
    assert (promo.queue, promo.priority, promo.tags, promo.rule_id) == \
        ("promo", 100, ("vip", "incident"), "r1")
    assert apply_incident_routes(decision, "acme", ("order_status",), routes) == decision
    brand_wide = apply_incident_routes(decision, "other", (), routes)
    assert (brand_wide.queue, brand_wide.priority) == ("general", 95)


def test_a_holding_reply_tags_its_customers_and_is_found_for_them() -> None:
    from socialcare_router.domain.rules import RouteDecision
    from socialcare_router.domain.surge import (
        HOLDING_TAG,
        IncidentRoute,
        apply_incident_routes,
        holding_reply_for,
    )

    route = IncidentRoute("acme", "*", None, 0, "i1", "we are on it")
    decided = apply_incident_routes(RouteDecision("general"), "acme", (), [route])
    assert (decided.queue, decided.tags) == ("general", ("incident", HOLDING_TAG))
    assert holding_reply_for("acme", ("promo_code",), [route]) == route
    assert holding_reply_for("other", (), [route]) is None
