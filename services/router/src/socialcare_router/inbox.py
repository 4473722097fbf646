"""The inbox service layer: every agent and supervisor action on a conversation.

The API and the page call these functions; each loads the Conversation, asks
``permissions.authorize`` whether the actor may act, applies the aggregate's method,
saves the change and its events in one write (retrying on a concurrent change), writes
the audit entry and publishes the events. Errors are the domain's: NotFound, Forbidden,
ConversationError, AtCapacity, and Unknown for a queue or agent that does not exist.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from socialcare_contracts.events import ConversationUpdated
from socialcare_router.adapters.audit import AuditLog
from socialcare_router.adapters.config_store import ConfigStore
from socialcare_router.adapters.conversations import (
    ConversationRepository,
    VersionConflict,
)
from socialcare_router.domain.conversation import Conversation, ConversationError
from socialcare_router.domain.permissions import Action, Actor, authorize
from socialcare_router.domain.sla import SlaPolicy

log = logging.getLogger(__name__)
Events = list[tuple[str, str, ConversationUpdated]]
Publish = Callable[[Events], Awaitable[None]]


def once(events: Events) -> Events:
    """Each event once, in order: a save returns the unacknowledged events of the saves
    before it again, so several changes made before publishing repeat them."""
    seen: set[str] = set()
    return [e for e in events if not (e[0] in seen or seen.add(e[0]))]
SYSTEM = Actor("system", "admin")


class NotFound(Exception):
    """No such conversation (or none the actor may see)."""


class Unknown(ValueError):
    """A queue or agent named in a request does not exist."""


class Inbox:
    def __init__(self, repository: ConversationRepository, config: ConfigStore,
                 audit: AuditLog, publish: Publish, sla: Callable[[str], Awaitable[SlaPolicy]],
                 held_unanswered: Callable[[str], Awaitable[list[str]]],
                 escalation_share: float, built_in_queues: tuple[str, ...],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.held_unanswered = held_unanswered
        self.config = config
        self.audit = audit
        self.publish = publish
        self.sla = sla
        self.escalation_share = escalation_share
        self.built_in_queues = built_in_queues
        self.clock = clock

    async def load(self, actor: Actor, conversation_id: str,
                   action: Action = Action.READ) -> Conversation:
        """The conversation, if it exists and ``actor`` may take ``action`` on it."""
        conversation = await self.repository.get(conversation_id)
        if conversation is None or not actor.covers(conversation.brand_account):
            raise NotFound(f"no conversation {conversation_id}")
        authorize(actor, action, conversation.brand_account, conversation.assignee)
        return conversation

    async def change(self, actor: Actor, conversation_id: str, action: Action,
                     apply: Callable[[Conversation, datetime], None],
                     details: dict[str, Any] | None = None) -> Conversation:
        """Load, check, apply, save with its events; again if someone changed it meanwhile."""
        def checked(conversation: Conversation, now: datetime) -> None:
            if not actor.covers(conversation.brand_account):
                raise NotFound(f"no conversation {conversation_id}")
            authorize(actor, action, conversation.brand_account, conversation.assignee)
            apply(conversation, now)

        # The relay's list before the write: should this process die after it, the events
        # stored with it are still published.
        try:
            conversation, events = await self.repository.update(
                conversation_id, checked, self.clock,
                before_save=lambda c, now: self.repository.mark_pending(c.id, now))
        except VersionConflict:
            raise ConversationError("the conversation keeps changing; reload it and try "
                                    "again") from None
        if conversation is None:
            raise NotFound(f"no conversation {conversation_id}")
        await self.audit.record(actor.id, actor.role, action.value, conversation.updated_at,
                                conversation_id=conversation_id,
                                brand_account=conversation.brand_account, details=details)
        await self.announce(conversation_id, events or [])
        return conversation

    async def announce(self, conversation_id: str, events: Events) -> None:
        """Publishes a change's events; if Kafka is down the relay publishes them later."""
        try:
            await self.publish(events)
        except Exception as exc:  # the change is stored; its events wait in its outbox
            log.warning("conversation %s: events wait for the relay (%s)", conversation_id,
                        type(exc).__name__)
            return
        await self.repository.clear_published(conversation_id, [e[0] for e in events])
        await self.repository.unmark_if_empty(conversation_id)

    # --- the actions ------------------------------------------------------------------

    async def claim(self, actor: Actor, conversation_id: str) -> Conversation:
        return await self.change(actor, conversation_id, Action.CLAIM,
                                 lambda c, now: c.claim(actor.id, now))

    async def release(self, actor: Actor, conversation_id: str) -> Conversation:
        return await self.change(actor, conversation_id, Action.RELEASE,
                                 lambda c, now: c.release(now))

    async def transfer(self, actor: Actor, conversation_id: str, queue: str | None,
                       agent_id: str | None) -> Conversation:
        if queue is not None and queue not in self.built_in_queues \
                and await self.config.get("queues", queue) is None:
            raise Unknown(f"no queue {queue}")
        if agent_id is not None and await self.config.get("agents", agent_id) is None:
            raise Unknown(f"no agent {agent_id}")
        action = Action.ASSIGN if agent_id is not None and agent_id != actor.id \
            else Action.TRANSFER
        return await self.change(actor, conversation_id, action,
                                 lambda c, now: c.transfer(queue, agent_id, now),
                                 {"queue": queue, "agent_id": agent_id})

    async def snooze(self, actor: Actor, conversation_id: str, until: datetime
                     ) -> Conversation:
        return await self.change(actor, conversation_id, Action.SNOOZE,
                                 lambda c, now: c.snooze(until, now),
                                 {"until": until.isoformat()})

    async def resolve(self, actor: Actor, conversation_id: str) -> Conversation:
        return await self.change(actor, conversation_id, Action.RESOLVE,
                                 lambda c, now: c.resolve(now))

    async def reopen(self, actor: Actor, conversation_id: str) -> Conversation:
        found = await self.load(actor, conversation_id, Action.REOPEN)
        sla = await self.sla(found.brand_account)
        return await self.change(actor, conversation_id, Action.REOPEN,
                                 lambda c, now: c.reopen(now, sla, self.escalation_share))

    async def tag(self, actor: Actor, conversation_id: str, add: list[str],
                  remove: list[str]) -> Conversation:
        return await self.change(actor, conversation_id, Action.TAG,
                                 lambda c, now: c.tag(add, remove, now),
                                 {"add": add, "remove": remove})

    async def note(self, actor: Actor, conversation_id: str, text: str,
                   store_note: Callable[[str, str, str, datetime], Awaitable[dict[str, Any]]]
                   ) -> dict[str, Any]:
        conversation = await self.load(actor, conversation_id, Action.NOTE)
        now = self.clock()
        note = await store_note(conversation_id, actor.id, text, now)
        await self.audit.record(actor.id, actor.role, Action.NOTE.value, now,
                                conversation_id=conversation_id,
                                brand_account=conversation.brand_account,
                                details={"note_id": note["_id"]})
        return note

    async def record_reply(self, actor: Actor, conversation: Conversation, reply_id: str,
                           kind: str) -> None:
        """The audit entry of a reply an agent asked for (sending is the responder's)."""
        await self.audit.record(actor.id, actor.role, Action.REPLY.value, self.clock(),
                                conversation_id=conversation.id,
                                brand_account=conversation.brand_account,
                                details={"reply_id": reply_id, "kind": kind})


    async def return_unanswered(self, agent_id: str) -> int:
        """Gives an agent's unanswered conversations back to their queues (agent offline)."""
        returned = 0
        for conversation_id in await self.held_unanswered(agent_id):
            try:
                await self.change(SYSTEM, conversation_id, Action.RELEASE,
                                  lambda c, now: c.release(now), {"agent_id": agent_id})
                returned += 1
            except (ConversationError, NotFound):
                continue  # released or resolved meanwhile
        return returned


class OutboxRelay:
    """Publishes events whose first publication failed (Kafka was down), in order."""

    def __init__(self, repository: ConversationRepository, publish: Publish,
                 batch: int = 100) -> None:
        self.repository = repository
        self.publish = publish
        self.batch = batch

    async def run_once(self) -> int:
        """Publishes what is pending now; returns how many events went out."""
        sent = 0
        for conversation_id in await self.repository.pending_ids(self.batch):
            events = await self.repository.outbox_of(conversation_id)
            if events:
                await self.publish(events)  # raises while Kafka is down: the next run retries
                await self.repository.clear_published(conversation_id, [e[0] for e in events])
                sent += len(events)
            await self.repository.unmark_if_empty(conversation_id)
        return sent

    async def run(self, interval_s: float) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Kafka or MongoDB away: keep the list, try again
                log.warning("outbox relay: %s; retrying in %.0f s", type(exc).__name__,
                            interval_s)
            await asyncio.sleep(interval_s)
