"""Linking a customer's identities into one person: the pure rules."""

import pytest

from socialcare_router.domain.people import (
    MAX_IDENTITIES,
    Identity,
    PeopleError,
    Person,
    plan_link,
    survivor,
    union,
    without,
)

pytestmark = pytest.mark.unit

X = Identity("x", "acme", "u1", handle="dana")
IG = Identity("instagram", "acme", "u1.ig")
FB = Identity("facebook", "acme", "u1.fb")
X2 = Identity("x", "acme", "u2")


def test_an_identity_is_its_platform_account_and_customer_not_its_handle() -> None:
    assert Identity("x", "acme", "u1", handle="other") == X
    assert Identity("x", "globex", "u1") != X
    assert X.key == "x:acme:u1"  # the customers collection's key: one name everywhere


def test_union_keeps_each_identity_once_in_order_and_fills_missing_names() -> None:
    bare = Identity("x", "acme", "u1")
    named = Identity("instagram", "acme", "u1.ig", display_name="Dana")
    assert union((bare, IG), (named, X)) == (bare, named)
    assert union((bare, IG), (named, X))[0].handle == "dana"


def test_two_unlinked_identities_make_a_new_person() -> None:
    plan = plan_link(X, IG, None, None, "p_new")
    assert plan.created and plan.person == Person("p_new", (X, IG))
    assert plan.repoint == (X, IG) and not plan.absorbed


def test_an_identity_joins_the_person_of_the_other() -> None:
    person = Person("p1", (X, IG), version=3)
    plan = plan_link(FB, IG, None, person, "p_new")
    assert not plan.created and plan.person.id == "p1" and plan.person.version == 3
    assert plan.person.identities == (X, IG, FB) and plan.repoint == (FB,)


def test_linking_the_same_person_again_changes_nothing() -> None:
    person = Person("p1", (X, IG))
    plan = plan_link(IG, X, person, person, "p_new")
    assert plan.changes_nothing and plan.person is person


def test_linking_two_people_merges_them_into_the_larger() -> None:
    small, large = Person("p1", (X, IG)), Person("p9", (FB, X2, Identity("x", "acme", "u3")))
    plan = plan_link(IG, FB, small, large, "p_new")
    assert plan.person.id == "p9" and plan.absorbed == (small,)
    assert set(plan.person.identities) == {X, IG, FB, X2, Identity("x", "acme", "u3")}
    assert plan.repoint == small.identities


def test_concurrent_merges_agree_on_the_survivor_whatever_the_order() -> None:
    p, q = Person("p2", (X, IG)), Person("p1", (FB, X2))
    assert survivor(p, q) == survivor(q, p) == (q, p)


def test_an_identity_cannot_be_linked_to_itself() -> None:
    with pytest.raises(PeopleError):
        plan_link(X, Identity("x", "acme", "u1"), None, None, "p_new")


def test_a_person_holds_a_bounded_number_of_identities() -> None:
    full = Person("p1", tuple(Identity("x", "acme", f"u{i}") for i in range(MAX_IDENTITIES)))
    with pytest.raises(PeopleError):
        plan_link(IG, full.identities[0], None, full, "p_new")
    with pytest.raises(PeopleError):
        plan_link(IG, full.identities[0], Person("p2", (IG, FB)), full, "p_new")


def test_unlinking_leaves_the_rest_and_dissolves_a_pair() -> None:
    person = Person("p1", (X, IG, FB), version=2)
    left = without(person, IG)
    assert left == Person("p1", (X, FB), version=2)
    assert without(left, X) is None
    with pytest.raises(PeopleError):
        without(person, X2)
