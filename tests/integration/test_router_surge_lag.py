"""Surge detection behind a lagging router, on the real MongoDB server: a burst routed minutes
after it was written still opens its incident, dated when it was; the incident stays open
while the router has not routed its calm minutes, and closes once it has; history is not
counted."""
# The fixtures imported from router_helpers are redefined as test parameters.
# ruff: noqa: F811

from datetime import datetime, timedelta

import pytest

from socialcare_contracts.events import MessageClassified
from socialcare_contracts.incidents import IncidentChange
from socialcare_router.adapters.incidents import IncidentStore
from socialcare_router.adapters.minutes import minute_key
from socialcare_router.adapters.store import Store
from socialcare_router.adapters.volume import VolumeCounter
from socialcare_router.domain.surge import SurgePolicy
from socialcare_router.routing import Router
from socialcare_router.surges import SurgeDetector
from tests.integration.router_helpers import (  # noqa: F401
    T0,
    Clock,
    classified,
    router,
    store,
)

pytestmark = pytest.mark.integration
# The spike benchmark's window (one minute), over which a router three minutes behind saw
# nothing; a usual rate of 2 a minute: a surge from 6, calm under 3.
POLICY = SurgePolicy(window_minutes=1, default_per_minute=2.0)
MINUTE = timedelta(minutes=1)


def message(n: int, written: datetime, received: datetime | None = None,
            brand: str = "acme") -> MessageClassified:
    event = classified(f"m{n}", author=f"c{n}", at=written)
    return event.model_copy(update={"message": event.message.model_copy(
        update={"brand_account": brand, "received_at": received or written})})


async def route(r: Router, surges: SurgeDetector, events: list[MessageClassified]) -> None:
    """What the router worker does with each: routed, counted; then its once-a-second flush."""
    for event in events:
        assert await r.route_message(event, f"e-{event.message.platform_message_id}")
        surges.count(event, r.clock())
    await surges.volume.flush()


async def test_a_burst_routed_minutes_late_opens_its_incident_and_closes_on_routed_calm(
        store: Store) -> None:
    wall = Clock(T0)
    surges = SurgeDetector(VolumeCounter(store.db), IncidentStore(store.db), POLICY, wall)
    r = router(store, wall)
    burst = T0 - 3 * MINUTE  # 14:57: written then, routed at 15:00
    await route(r, surges, [message(i, burst + timedelta(seconds=i)) for i in range(60)])
    opened = {e.intent: e for e in await surges.run_once()}
    assert opened["*"].change is IncidentChange.OPENED
    assert minute_key(opened["*"].opened_at) == "2026-11-24T14:57"
    assert opened["*"].messages == 60
    assert (await surges.incidents.get(opened["*"].incident_id))["detected_at"] == T0
    assert opened["*"].detected_at == T0  # integrators see both times on the event
    # Ten minutes on, the router has only reached 14:59, and what it routes is calm: the
    # minutes after it are not routed yet, so their silence is no calm.
    wall.at = T0 + 10 * MINUTE
    await route(r, surges, [message(100, T0 - MINUTE)])
    assert [e.change for e in await surges.run_once()] == []
    wall.at = T0 + 16 * MINUTE
    await route(r, surges, [message(101, T0 + MINUTE)])
    assert [e.change for e in await surges.run_once()] == []
    assert [i["intent"] for i in await surges.incidents.open_ones()] == ["*"]
    # It catches up to 15:04:30: five routed minutes of calm since 14:59 close it, then.
    wall.at += timedelta(seconds=10)
    await route(r, surges, [message(102, T0 + 4.5 * MINUTE)])
    [closed] = await surges.run_once()
    assert (closed.incident_id, closed.change) == (opened["*"].incident_id,
                                                   IncidentChange.CLOSED)
    assert closed.closed_at == T0 + 4.5 * MINUTE


async def test_history_routed_now_opens_no_incident(store: Store) -> None:
    wall = Clock(T0)
    surges = SurgeDetector(VolumeCounter(store.db), IncidentStore(store.db), POLICY, wall)
    r = router(store, wall)
    # An import of last night's mentions, received now; a redelivery of messages ingest
    # received three hours ago.
    night = T0 - timedelta(hours=12)
    await route(r, surges, [message(i, night + timedelta(seconds=i), received=T0)
                            for i in range(60)])
    earlier = T0 - timedelta(hours=3)
    await route(r, surges, [message(100 + i, earlier + timedelta(seconds=i), brand="globex")
                            for i in range(60)])
    assert await surges.run_once() == []
    assert await surges.volume.read([minute_key(night), minute_key(earlier)]) == {}
