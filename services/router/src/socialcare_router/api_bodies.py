"""Request bodies of the supervisor routes: the stored documents as the API takes them.

Each is its document (``policies.py``, ``domain.rules``) with JSON's types only (no "5"
for 5, no 0 for false) and every string a person types bounded and free of control
characters and lone surrogates, which MongoDB cannot store: what the schema says is what
is accepted, and nothing accepted fails on the way to the database.
"""

from datetime import date, time
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool

from socialcare_contracts.limits import CleanText, Id, NonNegativeInt64, iso_text, json_number
from socialcare_router.domain.rules import RoutingRule, RuleConditions
from socialcare_router.domain.sla import WEEKDAYS
from socialcare_router.policies import (
    AgentUpdate,
    PriorityTargetsDoc,
    QueueDoc,
    SkillsDoc,
    SlaPolicyDoc,
)

Term = Annotated[CleanText, Field(min_length=1, max_length=64)]
AgentId = Annotated[Id, Field(max_length=64)]
# Written as ISO text: pydantic would read a number as seconds since midnight or 1970.
Day = Annotated[date, BeforeValidator(iso_text)]
ClockTime = Annotated[time, BeforeValidator(iso_text)]
MINUTES_A_WEEK, MINUTES_A_MONTH = 7 * 24 * 60, 30 * 24 * 60


def number(ge: int | None = None, le: int | None = None, gt: int | None = None) -> Any:
    """An integer within bounds, given as a JSON number (the validator after the bounds,
    so they reach the schema)."""
    return Annotated[int, Field(ge=ge, le=le, gt=gt), BeforeValidator(json_number)]


class SkillsBody(SkillsDoc):
    languages: list[Term] = Field(default=[], max_length=50)
    intents: list[Term] = Field(default=[], max_length=100)
    platforms: list[Term] = Field(default=[], max_length=10)


class AgentUpdateBody(AgentUpdate):
    """What a supervisor may change about an agent; what is left out stays."""

    skills: SkillsBody | None = None
    capacity: number(ge=0, le=1000) | None = None


class QueueBody(QueueDoc):
    agents: list[AgentId] = Field(default=[], max_length=500, description="Agent ids serving it")
    escalation_queue: Annotated[CleanText, Field(max_length=64)] | None = None


class PriorityTargetsBody(PriorityTargetsDoc):
    min_priority: number(ge=0, le=100)
    in_hours_minutes: number(gt=0, le=MINUTES_A_WEEK)
    after_hours_minutes: number(gt=0, le=MINUTES_A_WEEK)
    resolution_minutes: number(gt=0, le=MINUTES_A_MONTH)


class SlaPolicyBody(SlaPolicyDoc):
    """Business hours and targets of one brand account (``*`` is the default)."""

    timezone: Annotated[CleanText, Field(min_length=1, max_length=64)] = "UTC"
    weekly: dict[str, tuple[ClockTime, ClockTime]] = Field(
        default_factory=lambda: {d: (time(9), time(17)) for d in WEEKDAYS[:5]},
        max_length=7, description="Weekday (mon..sun) -> [opens, closes] local time; "
                                  "missing = closed")
    holidays: list[Day] = Field(default=[], max_length=400)
    in_hours_minutes: number(gt=0, le=MINUTES_A_WEEK) = 60
    after_hours_minutes: number(gt=0, le=MINUTES_A_WEEK) = 12 * 60
    ceiling_minutes: number(gt=0, le=MINUTES_A_WEEK) = 24 * 60
    resolution_minutes: number(gt=0, le=MINUTES_A_MONTH) = 24 * 60
    by_priority: list[PriorityTargetsBody] = Field(default=[], max_length=10)
    pause_while_waiting: StrictBool = True


class ConditionsBody(RuleConditions):
    # Lists, not sets: a repeated term is harmless, and a schema's uniqueItems would be
    # a refusal the validator does not make.
    platforms: list[Term] = Field(default=[], max_length=50)
    channels: list[Term] = Field(default=[], max_length=50)
    languages: list[Term] = Field(default=[], max_length=50)
    sentiments: list[Term] = Field(default=[], max_length=50)
    brand_accounts: list[Term] = Field(default=[], max_length=500)
    intents_any: list[Term] = Field(default=[], max_length=100,
                                    description="At least one of these")
    listening_any: list[Term] = Field(default=[], max_length=100)
    min_priority: number(ge=0, le=100) = 0
    min_followers: NonNegativeInt64 = 0
    verified_only: StrictBool = False


class RuleBody(RoutingRule):
    when: ConditionsBody = ConditionsBody()
    queue: Term
    tags: tuple[Term, ...] = Field(default=(), max_length=20)
    priority_boost: number(ge=0, le=100) = 0
