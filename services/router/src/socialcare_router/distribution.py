"""Backlog distribution: waiting work goes to agents as they free up, not only at creation.

A conversation that found nobody free when it arrived waits, unassigned, in its queue. A
periodic task on the worker group's leader gives each queue's waiting conversations, most
urgent (earliest deadline) first, to its online agents with free capacity, by the queue's
policy and the agents' skills: so an agent who comes online, gets more capacity or closes
work receives the oldest waiting conversations within one tick. Agents idle past the
configured time (no action, no conversation opened) are set away and their unanswered work
returns to the queue, where the next tick gives it to someone at work. Every assignment
goes through the Conversation aggregate (the repository reserves capacity), and is
audited as the system's.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from socialcare_router.adapters.conversations import AtCapacity, VersionConflict
from socialcare_router.adapters.store import Store
from socialcare_router.domain.assignment import AssignmentPolicy, Presence, Waiting, plan_backlog
from socialcare_router.domain.conversation import Conversation, State
from socialcare_router.inbox import Events, once
from socialcare_router.policies import agent_state
from socialcare_router.routing import Clock
from socialcare_router.routing_config import RoutingConfig

log = logging.getLogger(__name__)
SYSTEM = "system"
WAITING = (State.NEW, State.REOPENED)
# Read a little more waiting work than there are free slots: some of it may need skills
# none of the free agents has.
OVERREAD = 3


class Distributor:
    def __init__(self, store: Store, config: RoutingConfig, clock: Clock,
                 idle_after: timedelta | None) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.idle_after = idle_after

    async def run_once(self) -> Events:
        """Sets idle agents away (returning their work), then hands out waiting work."""
        now = self.clock()
        agents = {a["_id"]: a for a in await self.store.config.list_all("agents", 5_000)}
        events: Events = []
        if self.idle_after is not None:
            for agent in agents.values():
                events += await self._away_if_idle(agent, now)
        for name, queue in (await self.config.current()).queues.items():
            if queue.policy is AssignmentPolicy.MANUAL:
                continue
            states = [agent_state(agents[a]) for a in queue.agents if a in agents]
            free = sum(max(0, s.capacity - s.load) for s in states
                       if s.presence is Presence.ONLINE)
            if free == 0:
                continue
            waiting = [Waiting(d["_id"], d.get("language") or "und", tuple(d.get("intents", ())),
                               d.get("platform", ""))
                       for d in await self.store.work.waiting_in_queue(name, free * OVERREAD)]
            plan = plan_backlog(queue.policy, states, waiting,
                                await self.store.config.last_assigned(name))
            for conversation_id, agent_id in plan:
                events += await self._assign(name, conversation_id, agent_id)
        return once(events)

    async def _assign(self, queue: str, conversation_id: str, agent_id: str) -> Events:
        def assign(conversation: Conversation, now: datetime) -> bool:
            if conversation.assignee is not None or conversation.state not in WAITING \
                    or conversation.queue != queue:
                return False  # claimed, answered or moved since it was read
            conversation.claim(agent_id, now)
            return True

        try:
            conversation, events = await self.store.repository.update(
                conversation_id, assign, self.clock, attempts=2)
        except (AtCapacity, VersionConflict):
            return []  # the agent filled up, or it keeps changing: the next tick sees
        if conversation is None or not events:
            return []
        await self.store.config.remember_assignment(queue, agent_id)
        await self.store.audit.record(
            SYSTEM, "admin", "assign", conversation.updated_at, conversation_id=conversation.id,
            brand_account=conversation.brand_account,
            details={"agent_id": agent_id, "reason": "backlog"})
        return events

    async def _away_if_idle(self, agent: dict[str, Any], now: datetime) -> Events:
        seen = agent.get("last_active_at")
        if agent.get("presence") != Presence.ONLINE.value or seen is None \
                or now - seen < self.idle_after:
            return []
        # Only if nothing changed since it was read: an agent who acted meanwhile stays.
        result = await self.store.config.agents.update_one(
            {"_id": agent["_id"], "presence": Presence.ONLINE.value, "last_active_at": seen},
            {"$set": {"presence": Presence.AWAY.value}})
        if result.modified_count != 1:
            return []
        agent["presence"] = Presence.AWAY.value
        await self.store.audit.record(SYSTEM, "admin", "agent.update", now, target=agent["_id"],
                                      details={"presence": "away", "reason": "idle"})
        log.info("agent %s idle since %s: set away", agent["_id"], seen.isoformat())
        events: Events = []
        for conversation_id in await self.store.work.held_unanswered(agent["_id"]):
            events += await self._return(conversation_id, agent["_id"])
        return events

    async def _return(self, conversation_id: str, agent_id: str) -> Events:
        def release(conversation: Conversation, now: datetime) -> bool:
            if conversation.assignee != agent_id:
                return False  # released, transferred or resolved meanwhile
            conversation.release(now)
            return True

        try:
            conversation, events = await self.store.repository.update(
                conversation_id, release, self.clock, attempts=2)
        except VersionConflict:
            return []
        if conversation is None or not events:
            return []
        await self.store.audit.record(
            SYSTEM, "admin", "release", conversation.updated_at, conversation_id=conversation.id,
            brand_account=conversation.brand_account,
            details={"agent_id": agent_id, "reason": "idle"})
        return events
