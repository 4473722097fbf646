"""Who may do what: the whole matrix of roles, holders and brand scopes."""

import pytest

from socialcare_router.domain.permissions import Action, Actor, Forbidden, authorize

pytestmark = pytest.mark.unit

OWNER = Actor("a1", "agent", frozenset({"acme"}))
OTHER_AGENT = Actor("a2", "agent", frozenset({"acme"}))
SUPERVISOR = Actor("s1", "supervisor", frozenset({"acme"}))
OTHER_BRAND_SUPERVISOR = Actor("s2", "supervisor", frozenset({"globex"}))
ADMIN = Actor("root", "admin", frozenset({"globex"}))  # admins are not limited by scope


def allowed(actor: Actor, action: Action, assignee: str | None = "a1") -> bool:
    try:
        authorize(actor, action, "acme", assignee)
        return True
    except Forbidden:
        return False


@pytest.mark.parametrize("action", list(Action))
def test_the_matrix_on_a_conversation_held_by_a1(action: Action) -> None:
    holder_only = action in {Action.RELEASE, Action.TRANSFER, Action.SNOOZE, Action.RESOLVE,
                             Action.REOPEN, Action.REPLY, Action.TAG}
    assert allowed(OWNER, action) is (action is not Action.ASSIGN)
    assert allowed(OTHER_AGENT, action) is (not holder_only and action is not Action.ASSIGN)
    assert allowed(SUPERVISOR, action) is True
    assert allowed(OTHER_BRAND_SUPERVISOR, action) is False
    assert allowed(ADMIN, action) is True


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.ASSIGN])
def test_any_agent_of_the_brand_may_work_an_unassigned_conversation(action: Action) -> None:
    assert allowed(OTHER_AGENT, action, assignee=None)
    assert not allowed(Actor("x", "agent", frozenset({"globex"})), action, assignee=None)


def test_only_supervisors_and_admins_assign_to_a_named_agent() -> None:
    assert not allowed(OWNER, Action.ASSIGN, assignee=None)
    assert allowed(SUPERVISOR, Action.ASSIGN, assignee=None)


def test_brand_filters_for_lists() -> None:
    assert SUPERVISOR.brand_filter() == ["acme"]
    assert ADMIN.brand_filter() is None
    assert Actor("a", "agent").brand_filter() is None  # default scope: every brand
