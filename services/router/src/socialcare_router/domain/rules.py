"""Routing rules: the first rule whose conditions all hold picks the queue.

A rule set is ordered and versioned; the worker swaps in a newer version without a restart.
Every condition left empty matches anything, so a rule says only what it cares about.
"""

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class MessageFacts:
    """What routing may look at: the message, its author and its classification."""

    platform: str
    channel: str
    brand_account: str
    language: str
    sentiment: str
    priority: int
    intents: tuple[str, ...] = ()
    listening_matches: tuple[str, ...] = ()
    followers: int = 0
    verified: bool = False


class RuleConditions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    platforms: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    sentiments: frozenset[str] = frozenset()
    brand_accounts: frozenset[str] = frozenset()
    intents_any: frozenset[str] = Field(default=frozenset(), description="At least one of these")
    listening_any: frozenset[str] = frozenset()
    min_priority: int = Field(default=0, ge=0, le=100)
    min_followers: int = Field(default=0, ge=0)
    verified_only: bool = False

    def hold_for(self, facts: MessageFacts) -> bool:
        """True when every condition that is set holds for ``facts``."""
        return (
            _allowed(self.platforms, facts.platform)
            and _allowed(self.channels, facts.channel)
            and _allowed(self.languages, facts.language)
            and _allowed(self.sentiments, facts.sentiment)
            and _allowed(self.brand_accounts, facts.brand_account)
            and (not self.intents_any or bool(self.intents_any & set(facts.intents)))
            and (not self.listening_any or bool(self.listening_any & set(facts.listening_matches)))
            and facts.priority >= self.min_priority
            and facts.followers >= self.min_followers
            and (facts.verified or not self.verified_only)
        )


class RoutingRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    when: RuleConditions = RuleConditions()
    queue: str = Field(min_length=1, max_length=64)
    tags: tuple[str, ...] = Field(default=(), max_length=20)
    priority_boost: int = Field(default=0, ge=0, le=100)


@dataclass(frozen=True)
class RouteDecision:
    queue: str
    tags: tuple[str, ...] = ()
    priority: int = 0
    rule_id: str | None = None


@dataclass(frozen=True)
class RuleSet:
    version: int = 0
    rules: tuple[RoutingRule, ...] = field(default_factory=tuple)

    def route(self, facts: MessageFacts, default_queue: str) -> RouteDecision:
        """The first matching rule's queue, tags and boosted priority, else the default queue."""
        for rule in self.rules:
            if rule.when.hold_for(facts):
                return RouteDecision(rule.queue, rule.tags,
                                     min(100, facts.priority + rule.priority_boost), rule.id)
        return RouteDecision(default_queue, (), facts.priority, None)


def _allowed(allowed: frozenset[str], value: str) -> bool:
    return not allowed or value in allowed
