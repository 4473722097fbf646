"""One customer across channels: link a person's identities, unlink one, read their history.

Agents and supervisors link identities of their brands (an identity is named by one of its
conversations, or by platform, brand account and customer id); the person's identities and
conversations on every channel are then shown with any of those conversations. Reads hide
identities outside the caller's brands. Every link and unlink is in the audit trail.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from socialcare_contracts.limits import Id
from socialcare_router.adapters.people import PeopleRepository
from socialcare_router.adapters.store import Store
from socialcare_router.api_conversations import with_first_words
from socialcare_router.deps import AUTH_ERRORS, BODY_ERRORS, ActorDep, InboxDep, StoreDep
from socialcare_router.domain.conversation import Conversation
from socialcare_router.domain.people import Identity, PeopleError, Person
from socialcare_router.domain.permissions import Action, Actor, authorize
from socialcare_router.inbox import NotFound
from socialcare_router.views import ConversationSummary
from socialcare_runtime.http_errors import error_responses

router = APIRouter(prefix="/v1/people", tags=["people"], responses=AUTH_ERRORS)
PEOPLE_ERRORS = error_responses(403, 404, s403="An identity of a brand outside the caller's",
                                s404="No such conversation, customer or person")
Key = Annotated[str, Path(max_length=128)]
NAMES = ("conversation_id", "platform", "brand_account", "customer_id")


class IdentityRef(BaseModel):
    """A customer identity: one of its conversations, or platform, account and customer."""

    # The schema says what the validator does: one way or the other, never a mix.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [
        {"required": list(given), "properties": {
            name: {"type": "string" if name in given else "null"} for name in NAMES}}
        for given in (("conversation_id",), NAMES[1:])]})
    conversation_id: Annotated[Id, Field(max_length=64)] | None = None
    platform: Annotated[Id, Field(max_length=32)] | None = None
    brand_account: Annotated[Id, Field(max_length=128)] | None = None
    customer_id: Annotated[Id, Field(max_length=128)] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> "IdentityRef":
        named = (self.platform, self.brand_account, self.customer_id)
        if (self.conversation_id is None) == (None in named) or \
                self.conversation_id is not None and any(named):
            raise ValueError("give conversation_id, or platform, brand_account and customer_id")
        return self


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identities: list[IdentityRef] = Field(min_length=2, max_length=2,
                                          description="Two identities of one customer")


class IdentityView(BaseModel):
    platform: str
    brand_account: str
    customer_id: str
    handle: str | None = None
    display_name: str | None = None


class PersonView(BaseModel):
    id: str | None = Field(description="None while the customer is linked to nobody")
    identities: list[IdentityView] = Field(description="Those of the caller's brands")
    hidden_identities: int = Field(0, description="Linked identities of other brands")
    conversations: list[ConversationSummary] = Field(
        default=[], description="Of every identity shown, newest first (bounded)")
    merged: list[str] = Field(default=[], description="People this link merged into this one")


def identity_of(conversation: Conversation) -> Identity:
    customer = conversation.customer
    return Identity(conversation.platform, conversation.brand_account,
                    conversation.customer_id, customer.get("handle"),
                    customer.get("display_name"))


def view(person: Person | None, identity: Identity, actor: Actor) -> PersonView:
    """The person as ``actor`` may see them (only ``identity`` while not linked)."""
    every = person.identities if person is not None else (identity,)
    shown = [i for i in every if actor.covers(i.brand_account)]
    return PersonView(id=person.id if person else None,
                      identities=[IdentityView(**vars(i)) for i in shown],
                      hidden_identities=len(every) - len(shown))


async def conversation_of(store: Store, actor: Actor, ref: IdentityRef) -> Conversation:
    """The conversation that names ``ref`` (its own, or the customer's latest), if
    ``actor`` may link identities of its brand."""
    conversation_id = ref.conversation_id
    if conversation_id is None:
        # The brand is known before anything is read: outside the caller's, nothing is.
        authorize(actor, Action.LINK, ref.brand_account or "", None)
        customer = Identity(ref.platform or "", ref.brand_account or "", ref.customer_id or "")
        latest = await store.latest_of_customer(customer.key)
        if latest is None:
            raise NotFound(f"no customer {customer.customer_id} on {customer.platform} "
                           f"{customer.brand_account}")
        conversation_id = latest.id
    conversation = await store.repository.get(conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id}")
    authorize(actor, Action.LINK, conversation.brand_account, None)
    return conversation


def refused(exc: PeopleError) -> HTTPException:
    return HTTPException(409, str(exc))


@router.post("/links", response_model=PersonView,
             responses={**BODY_ERRORS, **PEOPLE_ERRORS, **error_responses(
                 409, s409="Too many identities for one person")})
async def link(body: LinkRequest, actor: ActorDep, store: StoreDep) -> PersonView:
    """Makes two identities one person; linking people already linked changes nothing, and
    identities of two people merge them."""
    conversations = [await conversation_of(store, actor, ref) for ref in body.identities]
    a, b = (identity_of(c) for c in conversations)
    people = PeopleRepository(store.db)
    if a == b:  # two conversations of one customer: one identity, nothing to link
        return view((await people.person_of(a))[0], a, actor)
    now = datetime.now(UTC)
    try:
        plan = await people.link(a, b, now)
    except PeopleError as exc:
        raise refused(exc) from exc
    if not plan.changes_nothing:
        for conversation in {c.id: c for c in conversations}.values():
            await store.audit.record(
                actor.id, actor.role, Action.LINK.value, now, conversation_id=conversation.id,
                brand_account=conversation.brand_account, target=plan.person.id,
                details={"identities": [a.key, b.key],
                         "merged": [p.id for p in plan.absorbed]})
    return view(plan.person, a, actor).model_copy(
        update={"merged": [p.id for p in plan.absorbed]})


@router.get("/of/{conversation_id}", response_model=PersonView,
            responses=error_responses(404, s404="No such conversation"))
async def person_of_conversation(
        conversation_id: Annotated[str, Path(max_length=64)], actor: ActorDep,
        inbox: InboxDep, store: StoreDep,
        limit: Annotated[int, Query(ge=1, le=100)] = 20) -> PersonView:
    """The conversation's customer as one person: identities and conversations across
    channels, newest first."""
    identity = identity_of(await inbox.load(actor, conversation_id))
    people = PeopleRepository(store.db)
    person, _ = await people.person_of(identity)
    found = view(person, identity, actor)
    shown = tuple(Identity(**i.model_dump()) for i in found.identities)
    docs = await people.conversations_of(shown, limit)
    found.conversations = [ConversationSummary.of(d) for d in docs]
    await with_first_words(store, docs, found.conversations)
    return found


@router.delete("/{person_id}/identities/{platform}/{brand_account}/{customer_id}",
               response_model=PersonView, responses={**PEOPLE_ERRORS, **error_responses(
                   409, s409="The person kept changing; try again")})
async def unlink(person_id: Annotated[str, Path(max_length=64)], platform: Key,
                 brand_account: Key, customer_id: Key, actor: ActorDep,
                 store: StoreDep) -> PersonView:
    """Takes an identity out of a person; a person left with one identity is dissolved."""
    identity = Identity(platform, brand_account, customer_id)
    authorize(actor, Action.UNLINK, brand_account, None)
    people = PeopleRepository(store.db)
    person = await people.get(person_id)
    if person is None or not person.has(identity):
        raise NotFound(f"{identity.key} is not linked to person {person_id}")
    now = datetime.now(UTC)
    try:
        left = await people.unlink(person, identity, now)
    except PeopleError as exc:
        raise refused(exc) from exc
    latest = await store.latest_of_customer(identity.key)
    await store.audit.record(actor.id, actor.role, Action.UNLINK.value, now,
                             conversation_id=latest.id if latest else None,
                             brand_account=brand_account, target=person.id,
                             details={"identity": identity.key})
    return view(left, identity, actor) if left is not None else PersonView(id=None, identities=[])
