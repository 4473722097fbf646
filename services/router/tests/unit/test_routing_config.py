import pytest

from socialcare_router.routing_config import RoutingConfig

pytestmark = pytest.mark.unit


class FakeConfigStore:
    """Stands in for the MongoDB repository: counts what the cache asks for."""

    def __init__(self) -> None:
        self.version, self.version_reads, self.loads = 1, 0, 0
        self.rules: list[dict] = [{"id": "es", "queue": "spanish", "when": {"languages": ["es"]}}]
        self.incidents = self  # no incident carries routing here

    async def routes_in_force(self) -> tuple:
        return ()

    async def routing_version(self) -> int:
        self.version_reads += 1
        return self.version

    async def routing(self) -> dict:
        self.loads += 1
        return {"version": self.version, "rules": self.rules}

    async def list_all(self, collection: str) -> list[dict]:
        if collection == "queues":
            return [{"_id": "vip", "policy": "round_robin"}, {"_id": "bad", "policy": "???"}]
        return [{"_id": "acme", "timezone": "Europe/Madrid"}]


async def test_reloads_only_when_the_version_moves_and_at_most_every_refresh() -> None:
    store, now = FakeConfigStore(), [0.0]
    config = RoutingConfig(store, refresh_s=3, monotonic=lambda: now[0])  # type: ignore[arg-type]
    first = await config.current()
    assert first.version == 1 and first.rules.rules[0].queue == "spanish"
    assert set(first.queues) == {"vip"}  # an invalid stored queue is skipped, not fatal
    assert first.sla["acme"].hours.timezone == "Europe/Madrid"
    store.version, store.rules = 2, []
    now[0] = 2.9
    assert (await config.current()) is first and store.version_reads == 1
    now[0] = 3.0
    assert (await config.current()).rules.rules == () and store.loads == 2
    now[0] = 6.5
    await config.current()
    assert store.version_reads == 3 and store.loads == 2  # same version: nothing reloaded
