"""Surge detection: a brand's (or one of its intents') message rate against its own baseline.

Pure rules, no I/O. The rate is messages per minute over the last ``window`` minutes; the
baseline is the usual rate for that hour of the week, learned from the brand's history
(an exponentially weighted mean per hour-of-week slot), with a default until it has one.
An incident opens when the rate is at least ``factor`` times the baseline and enough
messages came; it closes once the rate has stayed under ``close_factor`` times the
baseline for ``quiet_minutes`` (hysteresis, so a burst that wavers is one incident).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from socialcare_router.domain.rules import RouteDecision

ALL_INTENTS = "*"
HOLDING_TAG = "holding-reply"
HOURS_A_WEEK = 7 * 24


@dataclass(frozen=True)
class SurgePolicy:
    window_minutes: int = 5
    factor: float = 3.0
    min_messages: int = 20
    close_factor: float = 1.5
    quiet_minutes: int = 5
    default_per_minute: float = 0.5  # a new brand's baseline: one message every 2 minutes
    learning_rate: float = 0.3
    # A surge is learned from as at most this many times the baseline, so one promotion
    # does not teach the brand that a flood is normal.
    learn_cap: float = 2.0


@dataclass(frozen=True)
class Reading:
    """One brand (and intent, or all of them) over the window just ended."""

    brand_account: str
    intent: str
    messages: int
    negative: int
    per_minute: float
    baseline: float

    @property
    def negative_share(self) -> float:
        return self.negative / self.messages if self.messages else 0.0


def hour_of_week(at: datetime) -> int:
    return at.weekday() * 24 + at.hour


def baseline_at(slots: dict[str, float] | None, at: datetime, policy: SurgePolicy) -> float:
    """The usual rate for ``at``'s hour of the week; the default until it was learned."""
    learned = (slots or {}).get(str(hour_of_week(at)))
    return learned if learned is not None else policy.default_per_minute


def learn(slots: dict[str, float] | None, hour: datetime, observed_per_minute: float,
          policy: SurgePolicy) -> dict[str, float]:
    """The slots with ``hour``'s observed rate folded into its hour-of-week slot."""
    slots = dict(slots or {})
    key = str(hour_of_week(hour))
    old = slots.get(key, policy.default_per_minute)
    observed = min(observed_per_minute, policy.learn_cap * max(old, policy.default_per_minute))
    slots[key] = old + policy.learning_rate * (observed - old)
    return slots


def surging(reading: Reading, policy: SurgePolicy) -> bool:
    return reading.messages >= policy.min_messages and \
        reading.per_minute >= policy.factor * reading.baseline


def calm(reading: Reading, policy: SurgePolicy) -> bool:
    return reading.per_minute < policy.close_factor * reading.baseline


def closes(quiet_since: datetime | None, now: datetime, policy: SurgePolicy) -> bool:
    """Calm for long enough that the incident is over."""
    return quiet_since is not None and now - quiet_since >= timedelta(
        minutes=policy.quiet_minutes)


@dataclass(frozen=True)
class IncidentRoute:
    """Routing a supervisor attached to an open incident: while it lasts, the brand's
    messages of its intent (every message for '*') go to ``queue`` and are raised."""

    brand_account: str
    intent: str
    queue: str | None
    priority_boost: int
    incident_id: str = ""
    holding_reply: str | None = None  # sent at once to each new customer of the incident

    def covers(self, brand_account: str, intents: Sequence[str]) -> bool:
        return self.brand_account == brand_account and \
            (self.intent == ALL_INTENTS or self.intent in intents)


def holding_reply_for(brand_account: str, intents: Sequence[str],
                      routes: Sequence[IncidentRoute]) -> IncidentRoute | None:
    """The incident whose holding reply a new customer of ``brand_account`` gets, if any."""
    return next((r for r in routes if r.holding_reply and r.covers(brand_account, intents)),
                None)


def apply_incident_routes(decision: RouteDecision, brand_account: str,
                          intents: Sequence[str], routes: Sequence[IncidentRoute]
                          ) -> RouteDecision:
    """The rules' decision with the first matching incident's routing on top."""
    for route in routes:
        if route.covers(brand_account, intents):
            # Tagged so agents see it, and so a cluster's bulk reply still goes to a
            # customer whose only answer so far is the holding reply.
            tags = ("incident", HOLDING_TAG) if route.holding_reply else ("incident",)
            return replace(decision, queue=route.queue or decision.queue,
                           priority=min(100, decision.priority + route.priority_boost),
                           tags=tuple(dict.fromkeys((*decision.tags, *tags))))
    return decision
