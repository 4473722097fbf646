"""Surge detection over the stream's per-minute counts: incidents open, peak and close.

A periodic task on the router group's leader reads the last few minutes' counts (keyed by
minute), compares each brand's rate, and each of its intents', with the usual rate for
that hour of the week, and opens, updates or closes incidents (domain/surge has the
rules). At each hour's end it folds that hour into the baselines, so a brand's own history
teaches what is usual. The events go to ``socialcare.incidents.v1``.

Everything runs in event time (domain/surge_time): messages count in the minute they were
written, and the window judged ends where routing has got to, not at the wall clock, so a
router minutes behind still opens the incident (late, dated when the burst was) and does
not close one on minutes it has not routed yet.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from socialcare_contracts.events import MessageClassified
from socialcare_contracts.incidents import IncidentChange, IncidentUpdated
from socialcare_router.adapters.incidents import IncidentStore, key_of
from socialcare_router.adapters.minutes import aware
from socialcare_router.adapters.volume import VolumeCounter, minutes_ending
from socialcare_router.domain.surge import Reading, SurgePolicy, baseline_at, learn
from socialcare_router.domain.surge_time import (
    Move,
    Running,
    complete_through,
    counted_at,
    step,
)
from socialcare_router.routing import Clock

log = logging.getLogger(__name__)


class SurgeDetector:
    def __init__(self, volume: VolumeCounter, incidents: IncidentStore, policy: SurgePolicy,
                 clock: Clock,
                 routing_changed: Callable[[datetime], Awaitable[None]] | None = None) -> None:
        self.volume = volume
        self.incidents = incidents
        self.policy = policy
        self.clock = clock
        # Closing an incident that carries routing changes the routing in force.
        self.routing_changed = routing_changed

    def count(self, event: MessageClassified, now: datetime) -> None:
        """Counts a routed customer message in the minute of its event time (history not)."""
        message, facts = event.message, event.classification
        at = counted_at(message.created_at, message.received_at, now, self.policy)
        if at is not None:
            self.volume.count(message.brand_account, facts.intents,
                              facts.sentiment.label == "negative", at, now)

    async def run_once(self) -> list[IncidentUpdated]:
        now = self.clock()
        at = complete_through(*await self.volume.progress(), now)
        await self._learn(at, now)
        # The last ``window_minutes`` whole minutes and the one under way: a burst that
        # began a few seconds before a minute turned is not cut in half.
        window = await self.volume.read(minutes_ending(at, self.policy.window_minutes + 1))
        span = self.policy.window_minutes + at.second / 60
        running = {key_of(i["brand_account"], i["intent"]): i
                   for i in await self.incidents.open_ones()}
        keys = {key_of(brand, intent) for brand, intents in window.items() for intent in intents}
        keys |= running.keys()
        slots = await self.incidents.slots(sorted(keys))
        events: list[IncidentUpdated] = []
        for key in sorted(keys):
            brand, intent = key.rsplit("|", 1)
            messages, negative = window.get(brand, {}).get(intent, (0, 0))
            reading = Reading(brand, intent, messages, negative,
                              messages / span,
                              baseline_at(slots.get(key), at, self.policy))
            change = await self._step(running.get(key), reading, at, now)
            if change is not None:
                events.append(_event(*change))
        return events

    async def _step(self, incident: dict[str, Any] | None, reading: Reading, at: datetime,
                    now: datetime) -> tuple[dict[str, Any], IncidentChange] | None:
        quiet = incident.get("quiet_since") if incident is not None else None
        decided = step(None if incident is None else Running(
            incident["peak_per_minute"], aware(quiet) if quiet else None), reading, at,
            self.policy)
        if decided.move is None:
            return None
        if incident is None:
            opened = await self.incidents.open(reading, at, now)
            if opened is None:
                return None  # another process opened it first
            log.info("incident %s opened: %s %s at %.1f/min (usual %.1f), %.0f s after its "
                     "time", opened["_id"], reading.brand_account, reading.intent,
                     reading.per_minute, reading.baseline, (now - at).total_seconds())
            return opened, IncidentChange.OPENED
        if decided.move is Move.CLOSE:
            log.info("incident %s closed", incident["_id"])
            closed = await self.incidents.close(incident, reading, at, now)
            if incident.get("routing") and self.routing_changed is not None:
                await self.routing_changed(now)
            return closed, IncidentChange.CLOSED
        measured = await self.incidents.measured(incident, reading, now, decided.quiet_since)
        return (measured, IncidentChange.UPDATED) if decided.move is Move.PEAK else None

    async def _learn(self, at: datetime, now: datetime) -> None:
        """Folds the hour routing has just passed into the baselines, once, by one process."""
        hour = at.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        previous = await self.incidents.learned_through()
        if previous is not None and previous >= hour:
            return
        if not await self.incidents.claim_hour(hour, previous):
            return
        minutes = minutes_ending(hour + timedelta(minutes=59), 60)
        counts = await self.volume.read(minutes)
        keys = [key_of(brand, intent) for brand, intents in counts.items() for intent in intents]
        slots = await self.incidents.slots(keys)
        for brand, intents in counts.items():
            for intent, (messages, _) in intents.items():
                key = key_of(brand, intent)
                await self.incidents.set_slots(
                    key, learn(slots.get(key), hour, messages / 60, self.policy), now)


def _event(doc: dict[str, Any], change: IncidentChange) -> IncidentUpdated:
    return IncidentUpdated(
        incident_id=doc["_id"], change=change, brand_account=doc["brand_account"],
        intent=doc["intent"], opened_at=doc["opened_at"], detected_at=doc.get("detected_at"),
        closed_at=doc.get("closed_at"),
        messages=doc["messages"], per_minute=doc["per_minute"],
        baseline_per_minute=doc["baseline_per_minute"],
        peak_per_minute=doc["peak_per_minute"], negative_share=doc["negative_share"],
        updated_at=doc["updated_at"])
