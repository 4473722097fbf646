"""Deadline timers derived from stored deadlines, so they survive restarts.

A periodic task asks MongoDB for conversations whose next escalation point has passed:
at the configured share of the first-response deadline the conversation is raised in
priority ("at_risk"); at the deadline it moves to the escalation queue ("breached") and
supervisors learn it from the event. The resolution deadline of unresolved conversations
escalates the same way ("resolution_at_risk", "resolution_breached"). Snoozed
conversations whose time is up reopen.
Each step is a conditional update on the value that was read, so several processes may
run the task at once and each step still happens once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialcare_contracts.events import ConversationUpdated
from socialcare_router.adapters.store import Store
from socialcare_router.domain.sla import escalation_step, resume_after_pause
from socialcare_router.routing import Clock, conversation_event
from socialcare_router.routing_config import RoutingConfig
from socialcare_runtime.metrics import service_metrics
from socialcare_runtime.streams import derived_event_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deadline:
    """Where one deadline, its escalation state and its next escalation point are stored."""

    due: str
    state: str
    timer: str
    prefix: str  # of the change published: "at_risk" or "resolution_at_risk"


DEADLINES = (
    Deadline("first_response_due_at", "escalation", "escalate_at", ""),
    Deadline("resolution_due_at", "resolution_escalation", "resolution_escalate_at",
             "resolution_"),
)


@dataclass(frozen=True)
class Escalated:
    update: ConversationUpdated
    event_id: str  # derived from the step, so a repeat after a crash re-emits the same id


class Escalator:
    def __init__(self, store: Store, config: RoutingConfig, escalation_queue: str,
                 priority_boost: int, clock: Clock, batch: int = 200) -> None:
        self.store = store
        self.config = config
        self.escalation_queue = escalation_queue
        self.priority_boost = priority_boost
        self.clock = clock
        self.batch = batch

    async def run_once(self) -> list[Escalated]:
        """Applies every escalation and wake-up that is due now."""
        now = self.clock()
        done = [await self._wake(doc, now)
                for doc in await self.store.work.wake_snoozed(now, self.batch)]
        for deadline in DEADLINES:
            done += [await self._escalate(doc, now, deadline) for doc in
                     await self.store.work.due_for_escalation(now, self.batch, deadline.timer)]
        return [d for d in done if d is not None]

    async def _wake(self, doc: dict[str, Any], now: datetime) -> Escalated | None:
        paused_at = doc.get("paused_at")
        due = resume_after_pause(doc["first_response_due_at"], paused_at, now) \
            if paused_at else doc["first_response_due_at"]
        escalate = doc.get("escalate_at")
        if paused_at and escalate:
            escalate = resume_after_pause(escalate, paused_at, now)
        woken = await self.store.work.resume(doc["_id"], paused_at, due, escalate, now)
        return self._event(woken, "woken", doc["snoozed_until"])

    async def _escalate(self, doc: dict[str, Any], now: datetime, deadline: Deadline
                        ) -> Escalated | None:
        seen = doc[deadline.timer]
        state, next_at = escalation_step(doc.get(deadline.state, "none"), doc[deadline.due])
        fields: dict[str, Any] = {deadline.state: state, deadline.timer: next_at,
                                  "updated_at": now}
        if state == "at_risk":
            fields["priority"] = min(100, doc.get("priority", 0) + self.priority_boost)
        else:
            queue = (await self.config.current()).queues.get(doc["queue"])
            target = queue.escalation_queue if queue and queue.escalation_queue \
                else self.escalation_queue
            if doc["queue"] != target:  # a second breach must not forget where it came from
                fields.update(queue=target, previous_queue=doc["queue"])
        fields[f"{deadline.prefix}{state}_at"] = now
        change = f"{deadline.prefix}{state}"
        updated = await self.store.work.escalate(doc["_id"], seen, fields, deadline.timer)
        if updated is not None:
            log.info("conversation %s %s", doc["_id"], change)
            service_metrics().sla_event(change, doc["queue"])
        return self._event(updated, change, seen)

    @staticmethod
    def _event(doc: dict[str, Any] | None, change: str, step_at: datetime) -> Escalated | None:
        if doc is None:  # another process applied this step first
            return None
        return Escalated(conversation_event(doc, change),
                         derived_event_id(f"{doc['_id']}:{step_at.isoformat()}", change))
