"""MongoDB repository of people: linked customer identities, read and written by key.

Two collections, both read by ``_id`` only (mongo-java-server uses no other index):
``people`` holds each person's identities with a version for optimistic concurrency, and
``person_of_identity`` maps an identity's key to its person, so "who is this customer" is
one lookup. There are no transactions: each step is a conditional single-document write,
ordered so that a process dying between steps leaves nothing a reader trusts wrongly (a
lookup is believed only if the person it names lists the identity; a merged person
forwards to the one it joined) and the next link of the same identities completes it.
"""

import uuid
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from socialcare_router.domain.people import (
    Identity,
    LinkPlan,
    PeopleError,
    Person,
    plan_link,
    without,
)

Document = dict[str, Any]
ATTEMPTS = 8
MAX_FORWARDS = 8  # merges chained further than this are a loop, not history


class Conflict(Exception):
    """Someone changed the person or the lookup since it was read: read again and retry."""


def _identity_doc(identity: Identity) -> Document:
    return {"platform": identity.platform, "brand_account": identity.brand_account,
            "customer_id": identity.customer_id, "handle": identity.handle,
            "display_name": identity.display_name}


def _person(doc: Document) -> Person:
    return Person(doc["_id"], tuple(Identity(**i) for i in doc.get("identities", [])),
                  doc.get("version", 0), doc.get("merged_into"))


class PeopleRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.people = db.people
        self.lookup = db.person_of_identity
        self.conversations = db.conversations
        self.customers = db.customers

    async def get(self, person_id: str) -> Person | None:
        """The person now behind ``person_id``, following merges; None if there is none."""
        for _ in range(MAX_FORWARDS):
            doc = await self.people.find_one({"_id": person_id})
            if doc is None:
                return None
            person = _person(doc)
            if person.merged_into is None:
                return person
            person_id = person.merged_into
        return None

    async def person_of(self, identity: Identity) -> tuple[Person | None, str | None]:
        """(the identity's person or None, the person id its lookup holds now)."""
        found = await self.lookup.find_one({"_id": identity.key})
        pointed = found["person_id"] if found else None
        person = await self.get(pointed) if pointed else None
        return (person if person is not None and person.has(identity) else None), pointed

    async def link(self, a: Identity, b: Identity, now: datetime) -> LinkPlan:
        """Makes ``a`` and ``b`` one person (merging people if both have one); repeatable."""
        for _ in range(ATTEMPTS):
            of_a, seen_a = await self.person_of(a)
            of_b, seen_b = await self.person_of(b)
            plan = plan_link(a, b, of_a, of_b, "p_" + uuid.uuid4().hex[:24])
            if plan.changes_nothing:
                return plan
            try:
                await self._write(plan, {a: seen_a, b: seen_b}, now)
            except Conflict:
                continue
            return plan
        raise PeopleError("these identities keep changing; try again")

    async def _write(self, plan: LinkPlan, seen: dict[Identity, str | None],
                     now: datetime) -> None:
        # The surviving person first: until a lookup names it, nobody reads it.
        person = plan.person
        if plan.created:
            await self.people.insert_one(self._doc(person, 1, now))
        else:
            await self._replace(person, self._doc(person, person.version + 1, now))
        for absorbed in plan.absorbed:
            await self._replace(absorbed, {"_id": absorbed.id, "identities": [],
                                           "version": absorbed.version + 1,
                                           "merged_into": person.id, "updated_at": now})
        for identity in plan.repoint:
            if identity in seen:
                await self._point(identity, seen[identity], person.id)
            else:
                # An absorbed person's other identities: moved only if still theirs (one
                # unlinked meanwhile keeps its new owner); the forward covers the rest.
                await self.lookup.update_one(
                    {"_id": identity.key, "person_id": {"$in": [a.id for a in plan.absorbed]}},
                    {"$set": {"person_id": person.id}})

    async def _point(self, identity: Identity, expected: str | None, person_id: str) -> None:
        if expected == person_id:
            return
        if expected is None:
            try:
                await self.lookup.insert_one({"_id": identity.key, "person_id": person_id})
            except DuplicateKeyError:
                raise Conflict(identity.key) from None
            return
        moved = await self.lookup.update_one({"_id": identity.key, "person_id": expected},
                                             {"$set": {"person_id": person_id}})
        if moved.matched_count == 0:
            raise Conflict(identity.key)

    async def unlink(self, person: Person, identity: Identity, now: datetime) -> Person | None:
        """Takes ``identity`` out of ``person``; the person as left, None once dissolved."""
        for _ in range(ATTEMPTS):
            left = without(person, identity)
            try:
                if left is None:
                    deleted = await self.people.delete_one({"_id": person.id,
                                                            "version": person.version})
                    if deleted.deleted_count == 0:
                        raise Conflict(person.id)
                else:
                    await self._replace(left, self._doc(left, left.version + 1, now))
            except Conflict:
                current = await self.get(person.id)
                if current is None or not current.has(identity):
                    return current
                person = current
                continue
            gone = person.identities if left is None else (identity,)
            await self.lookup.delete_many({"_id": {"$in": [i.key for i in gone]},
                                           "person_id": person.id})
            return left
        raise PeopleError("this person keeps changing; try again")

    async def _replace(self, person: Person, doc: Document) -> None:
        written = await self.people.replace_one({"_id": person.id, "version": person.version},
                                                doc)
        if written.matched_count == 0:
            raise Conflict(person.id)

    @staticmethod
    def _doc(person: Person, version: int, now: datetime) -> Document:
        return {"_id": person.id, "identities": [_identity_doc(i) for i in person.identities],
                "version": version, "merged_into": None, "updated_at": now}

    async def conversations_of(self, identities: tuple[Identity, ...], limit: int
                               ) -> list[Document]:
        """The identities' conversations, newest first, at most ``limit``.

        Read by key: each customer's document lists their conversations. A customer stored
        before it did is read by a query instead (MongoDB 7 answers it from the
        customer_conversations index; mongo-java-server scans).
        """
        if not identities:
            return []
        listed = {d["_id"]: d.get("conversations") async for d in self.customers.find(
            {"_id": {"$in": [i.key for i in identities]}}, {"conversations": 1})}
        ids = [cid for i in identities for cid in listed.get(i.key) or ()]
        older = [i for i in identities if i.key in listed and listed[i.key] is None]
        query: Document = {"_id": {"$in": ids}}
        if older:
            query = {"$or": [query, *({"platform": i.platform, "brand_account": i.brand_account,
                                       "customer_id": i.customer_id} for i in older)]}
        cursor = self.conversations.find(query, {"outbox": 0, "history": 0}).sort(
            "last_message_at", DESCENDING).limit(limit)
        return await cursor.to_list()
