"""Documents supervisors manage (queues, agents, SLA policies) and their domain objects."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialcare_router.domain.assignment import AgentState, AssignmentPolicy, Presence, Skills
from socialcare_router.domain.sla import WEEKDAYS, BusinessHours, PriorityTargets, SlaPolicy

Name = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueueDoc(Strict):
    policy: AssignmentPolicy = AssignmentPolicy.MANUAL
    agents: list[str] = Field(default=[], max_length=500, description="Agent ids serving it")
    escalation_queue: str | None = Field(default=None, max_length=64)


class SkillsDoc(Strict):
    languages: list[str] = Field(default=[], max_length=50)
    intents: list[str] = Field(default=[], max_length=100)
    platforms: list[str] = Field(default=[], max_length=10)


class AgentUpdate(Strict):
    """What a supervisor may change about an agent; what is left out stays."""

    skills: SkillsDoc | None = None
    capacity: int | None = Field(default=None, ge=0, le=1000)
    presence: Presence | None = None


def agent_state(doc: dict) -> AgentState:
    """The assignment view of a stored agent."""
    skills = doc.get("skills") or {}
    return AgentState(
        id=doc["_id"], presence=Presence(doc.get("presence", "offline")),
        capacity=doc.get("capacity", 0), load=doc.get("load", 0),
        skills=Skills(frozenset(skills.get("languages", ())), frozenset(skills.get("intents", ())),
                      frozenset(skills.get("platforms", ()))))


class PriorityTargetsDoc(Strict):
    min_priority: int = Field(ge=0, le=100)
    in_hours_minutes: int = Field(gt=0, le=7 * 24 * 60)
    after_hours_minutes: int = Field(gt=0, le=7 * 24 * 60)
    resolution_minutes: int = Field(gt=0, le=30 * 24 * 60)


class SlaPolicyDoc(Strict):
    """Business hours and targets of one brand account (``*`` is the default)."""

    timezone: str = "UTC"
    weekly: dict[str, tuple[time, time]] = Field(
        default_factory=lambda: {d: (time(9), time(17)) for d in WEEKDAYS[:5]},
        description="Weekday (mon..sun) -> [opens, closes] local time; missing = closed")
    holidays: list[date] = Field(default=[], max_length=400)
    in_hours_minutes: int = Field(default=60, gt=0, le=7 * 24 * 60)
    after_hours_minutes: int = Field(default=12 * 60, gt=0, le=7 * 24 * 60)
    ceiling_minutes: int = Field(default=24 * 60, gt=0, le=7 * 24 * 60)
    resolution_minutes: int = Field(default=24 * 60, gt=0, le=30 * 24 * 60)
    by_priority: list[PriorityTargetsDoc] = Field(default=[], max_length=10)
    pause_while_waiting: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _valid_week(self) -> "SlaPolicyDoc":
        for day, (opens, closes) in self.weekly.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use one of {', '.join(WEEKDAYS)}")
            if opens >= closes:
                raise ValueError(f"{day}: opening time must be before closing time")
        return self

    def to_domain(self) -> SlaPolicy:
        """The pure policy the deadlines are computed with."""
        return SlaPolicy(
            hours=BusinessHours(
                timezone=self.timezone,
                weekly={WEEKDAYS.index(d): hours for d, hours in self.weekly.items()},
                holidays=frozenset(self.holidays)),
            in_hours_target=timedelta(minutes=self.in_hours_minutes),
            after_hours_target=timedelta(minutes=self.after_hours_minutes),
            ceiling=timedelta(minutes=self.ceiling_minutes),
            resolution_target=timedelta(minutes=self.resolution_minutes),
            by_priority=tuple(PriorityTargets(
                t.min_priority, timedelta(minutes=t.in_hours_minutes),
                timedelta(minutes=t.after_hours_minutes), timedelta(minutes=t.resolution_minutes))
                for t in self.by_priority),
            pause_while_waiting=self.pause_while_waiting)
