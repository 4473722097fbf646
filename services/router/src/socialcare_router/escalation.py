"""Deadline timers derived from stored deadlines, so they survive restarts.

A periodic task reads the conversations whose next escalation point has passed from the
timer buckets (adapters/timers: keyed reads, whatever the number of conversations stored):
at the configured share of the response deadline the conversation is raised in priority
("at_risk"); at the deadline it moves to the escalation queue ("breached") and
supervisors learn it from the event. The resolution deadline escalates the same way
("resolution_at_risk", "resolution_breached"). Snoozed conversations whose time is up
wake. Every step goes through the Conversation aggregate and is saved with optimistic
concurrency, so several processes may run the task at once and each step happens once.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from socialcare_router.adapters.conversations import VersionConflict
from socialcare_router.adapters.store import Store
from socialcare_router.adapters.timers import Due
from socialcare_router.domain.conversation import TIMERS, Conversation, ConversationError
from socialcare_router.inbox import Events, once
from socialcare_router.routing import Clock
from socialcare_router.routing_config import RoutingConfig
from socialcare_runtime.metrics import service_metrics

log = logging.getLogger(__name__)


class Escalator:
    def __init__(self, store: Store, config: RoutingConfig, escalation_queue: str,
                 priority_boost: int, clock: Clock, batch: int = 200) -> None:
        self.store = store
        self.config = config
        self.escalation_queue = escalation_queue
        self.priority_boost = priority_boost
        self.clock = clock
        self.batch = batch
        self._adopted = False

    async def run_once(self) -> Events:
        """Applies every escalation and wake-up that is due now; returns their events."""
        now = self.clock()
        timers = self.store.repository.timers
        if not self._adopted:
            await timers.adopt_stored(self.store.conversations, now)
            self._adopted = True
        events: Events = []
        queues = (await self.config.current()).queues

        def escalate(c: Conversation, timer: str) -> str | None:
            due = getattr(c, timer)
            if due is None or due > now or c.paused_at is not None or not c.is_open:
                return None  # moved, paused, closed, or another process took this step
            queue = queues.get(c.queue)
            target = queue.escalation_queue if queue and queue.escalation_queue \
                else self.escalation_queue
            return c.escalate(timer, now, self.priority_boost, target)

        for timer in TIMERS:
            # A conversation whose deadline moved has an entry per deadline it had; one
            # step a tick, as each step sets the next deadline (at risk, then breached).
            entries: dict[str, list[Due]] = {}
            for entry in await timers.due(timer, now, self.batch):
                entries.setdefault(entry.conversation_id, []).append(entry)
            acted: list[Due] = []
            for conversation_id, its_entries in entries.items():
                step = (lambda c: _wake_if_due(c, now)) if timer == "snoozed_until" \
                    else (lambda c, timer=timer: escalate(c, timer))
                applied = await self._step(conversation_id, step)
                if applied is not None:
                    events += applied
                    acted += its_entries
            await timers.done(acted)
            await timers.advance(timer, now)
        return once(events)

    async def _step(self, conversation_id: str,
                    apply: Callable[[Conversation], str | None]) -> Events | None:
        """The step's events ([] when there was nothing to do); None to try it again."""
        done: list[tuple[str, str]] = []  # (change, queue before it) of the step applied

        def step(conversation: Conversation, _: datetime) -> bool:
            queue = conversation.queue
            try:
                change = apply(conversation)
            except ConversationError:
                return False
            if change is None:
                return False  # another process took this step first
            done[:] = [(change, queue)]
            return True

        try:
            _, events = await self.store.repository.update(conversation_id, step, self.clock,
                                                           attempts=3)
        except VersionConflict:
            return None  # the entry stays: the next tick tries again
        if not events or not done:
            return []
        change, queue = done[0]
        log.info("conversation %s %s", conversation_id, change)
        if change != "woken":
            service_metrics().sla_event(change, queue)
        return events


def _wake_if_due(conversation: Conversation, now: datetime) -> str | None:
    until = conversation.snoozed_until
    if until is None or until > now:
        return None
    conversation.wake(now)
    return "woken"
