"""Who may do what to a conversation: decided here, once, for the API, the page and workers.

A user works on the brand accounts in their scope (``*`` is every brand). Agents act on
conversations that are unassigned or theirs; supervisors on any conversation of their
brands, and only they (and admins) assign work to a named agent. Admins may do anything.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ANY_BRAND = "*"


class Action(StrEnum):
    READ = "read"
    CLAIM = "claim"
    RELEASE = "release"
    TRANSFER = "transfer"
    ASSIGN = "assign"  # a transfer to a named agent
    SNOOZE = "snooze"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    REPLY = "reply"
    NOTE = "note"
    TAG = "tag"
    LINK = "link"  # identities of one customer across channels, made one person
    UNLINK = "unlink"
    CORRECT = "correct"  # a message's labels, as training data: any agent of the brand


# Actions that belong to whoever holds the conversation; the others any agent of the brand
# may take (reading it, claiming it when free, leaving an internal note for the team,
# correcting a message's labels: that teaches the classifier and changes no one's work).
HOLDER_ACTIONS = frozenset({Action.RELEASE, Action.TRANSFER, Action.SNOOZE, Action.RESOLVE,
                            Action.REOPEN, Action.REPLY, Action.TAG})


class Forbidden(Exception):
    """The actor may not do this (the API answers 403 with the reason)."""


@dataclass(frozen=True)
class Actor:
    id: str
    role: str  # agent, supervisor or admin
    brands: frozenset[str] = frozenset({ANY_BRAND})

    def covers(self, brand_account: str) -> bool:
        return self.role == "admin" or ANY_BRAND in self.brands or brand_account in self.brands

    def brand_filter(self) -> list[str] | None:
        """The brands a list may show; None for all."""
        return None if self.role == "admin" or ANY_BRAND in self.brands else sorted(self.brands)


def authorize(actor: Actor, action: Action, brand_account: str, assignee: str | None) -> None:
    """Raises Forbidden unless ``actor`` may take ``action`` on such a conversation."""
    if not actor.covers(brand_account):
        raise Forbidden(f"brand {brand_account} is outside your scope")
    if actor.role in ("supervisor", "admin"):
        return
    if actor.role != "agent":
        raise Forbidden(f"role {actor.role} may not act on conversations")
    if action is Action.ASSIGN:
        raise Forbidden("only supervisors assign conversations to a named agent")
    if action in HOLDER_ACTIONS and assignee not in (None, actor.id):
        raise Forbidden("assigned to another agent; ask a supervisor")


def brands_of(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values) or frozenset({ANY_BRAND})
