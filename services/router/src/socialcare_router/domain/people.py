"""One customer across channels: a person is a set of platform identities, linked by agents.

A customer identity is (platform, brand account, customer id), the same triple that keys a
customer's conversations. Agents link identities they know to be one human; linking two
identities that already belong to two people merges those people. The rules here are pure:
the repository loads what the identities point at, asks ``plan_link`` what to write, and
writes it with single-document conditional updates.
"""

from dataclasses import dataclass, field, replace

# Reading a person's history costs a read per identity: bounded, and far above what one
# human has on a brand's accounts.
MAX_IDENTITIES = 20


class PeopleError(Exception):
    """A link the rules refuse (the API answers 409 with the reason)."""


@dataclass(frozen=True)
class Identity:
    """One customer on one brand account of one platform; handle and name only describe it."""

    platform: str
    brand_account: str
    customer_id: str
    handle: str | None = field(default=None, compare=False)
    display_name: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """The customer's key everywhere in the router (the ``customers`` collection's too)."""
        return f"{self.platform}:{self.brand_account}:{self.customer_id}"


@dataclass(frozen=True)
class Person:
    id: str
    identities: tuple[Identity, ...]
    version: int = 0
    merged_into: str | None = None  # a merged person forwards readers to the one it joined

    def has(self, identity: Identity) -> bool:
        return identity in self.identities


def union(*groups: tuple[Identity, ...]) -> tuple[Identity, ...]:
    """The identities of every group once, in order; a later handle or name fills a gap."""
    seen: dict[Identity, Identity] = {}
    for identity in (i for group in groups for i in group):
        known = seen.get(identity)
        seen[identity] = identity if known is None else replace(
            known, handle=known.handle or identity.handle,
            display_name=known.display_name or identity.display_name)
    return tuple(seen.values())


def survivor(p: Person, q: Person) -> tuple[Person, Person]:
    """(kept, absorbed) when two people merge: the larger keeps its id (fewer identities
    to point elsewhere), then the smaller id, so concurrent merges agree on the winner."""
    kept = min(p, q, key=lambda person: (-len(person.identities), person.id))
    return (kept, q if kept is p else p)


@dataclass(frozen=True)
class LinkPlan:
    """What linking two identities writes: ``person`` (new when ``created``), the people
    ``absorbed`` into it, and the identities whose lookup must point at it."""

    person: Person
    created: bool = False
    absorbed: tuple[Person, ...] = ()
    repoint: tuple[Identity, ...] = ()

    @property
    def changes_nothing(self) -> bool:
        return not self.created and not self.absorbed and not self.repoint


def plan_link(a: Identity, b: Identity, of_a: Person | None, of_b: Person | None,
              new_id: str) -> LinkPlan:
    """How to make ``a`` and ``b`` one person, given the people they belong to now."""
    if a == b:
        raise PeopleError("an identity is always linked to itself: name two")
    if of_a is not None and of_b is not None and of_a.id == of_b.id:
        return LinkPlan(of_a)  # linked already: linking again changes nothing
    if of_a is None and of_b is None:
        return LinkPlan(Person(new_id, union((a, b))), created=True, repoint=(a, b))
    if of_a is None or of_b is None:
        person = of_a or of_b
        assert person is not None
        joining = b if of_a is not None else a
        return LinkPlan(_with(person, union(person.identities, (joining,))),
                        repoint=(joining,))
    kept, absorbed = survivor(of_a, of_b)
    return LinkPlan(_with(kept, union(kept.identities, absorbed.identities)),
                    absorbed=(absorbed,), repoint=absorbed.identities)


def _with(person: Person, identities: tuple[Identity, ...]) -> Person:
    if len(identities) > MAX_IDENTITIES:
        raise PeopleError(f"a person links at most {MAX_IDENTITIES} identities")
    return replace(person, identities=identities)


def without(person: Person, identity: Identity) -> Person | None:
    """``person`` once ``identity`` is unlinked; None when one identity is left: a person
    of one identity says nothing the customer record does not."""
    if not person.has(identity):
        raise PeopleError("that identity is not linked to this person")
    left = tuple(i for i in person.identities if i != identity)
    return replace(person, identities=left) if len(left) > 1 else None

