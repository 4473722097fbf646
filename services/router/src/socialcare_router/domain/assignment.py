"""Who gets a conversation: per-queue policy over the agents able to take it."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum


class AssignmentPolicy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    MANUAL = "manual"  # agents pull work themselves


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Skills:
    """Empty means any: an agent without language skills takes every language."""

    languages: frozenset[str] = frozenset()
    intents: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AgentState:
    id: str
    presence: Presence
    capacity: int
    load: int
    skills: Skills = field(default_factory=Skills)

    def can_take(self, language: str, intents: Sequence[str], platform: str) -> bool:
        """Online, under capacity, and skilled for the conversation."""
        s = self.skills
        return (
            self.presence is Presence.ONLINE
            and self.load < self.capacity
            and (not s.languages or language in s.languages)
            and (not s.platforms or platform in s.platforms)
            and (not s.intents or not intents or bool(s.intents & set(intents)))
        )


def choose_agent(policy: AssignmentPolicy, agents: Sequence[AgentState], language: str,
                 intents: Sequence[str], platform: str, last_assigned: str | None) -> str | None:
    """The agent to offer the conversation to, or None (manual queue or nobody free)."""
    if policy is AssignmentPolicy.MANUAL:
        return None
    able = sorted((a for a in agents if a.can_take(language, intents, platform)),
                  key=lambda a: a.id)
    if not able:
        return None
    if policy is AssignmentPolicy.LEAST_LOADED:
        # Relative load, so a part-timer with capacity 2 is not treated like a full-timer.
        return min(able, key=lambda a: (a.load / a.capacity, a.load, a.id)).id
    after = [a for a in able if last_assigned is None or a.id > last_assigned]
    return (after or able)[0].id


@dataclass(frozen=True)
class Waiting:
    """An unassigned conversation waiting in a queue for an agent, most urgent first."""

    id: str
    language: str
    intents: tuple[str, ...]
    platform: str


def plan_backlog(policy: AssignmentPolicy, agents: Sequence[AgentState],
                 waiting: Sequence[Waiting], last_assigned: str | None
                 ) -> list[tuple[str, str]]:
    """(conversation, agent) pairs giving the waiting work, in order, to the free agents.

    Each pick counts against the agent's capacity before the next is chosen, so the plan
    never gives an agent more than their free slots; work nobody is skilled for stays.
    """
    loads = {a.id: a for a in agents}
    plan: list[tuple[str, str]] = []
    for conversation in waiting:
        chosen = choose_agent(policy, list(loads.values()), conversation.language,
                              conversation.intents, conversation.platform, last_assigned)
        if chosen is None:
            continue
        plan.append((conversation.id, chosen))
        loads[chosen] = replace(loads[chosen], load=loads[chosen].load + 1)
        last_assigned = chosen
    return plan
