"""The routing configuration a process works with, reloaded when its version moves.

Supervisors change rules, queues and SLA policies through the API; each change bumps the
version in the ``settings`` document. Processes check that one number at most every
``refresh`` and reload everything only when it changed, so changes apply without restart.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from socialcare_router.adapters.config_store import ConfigStore
from socialcare_router.domain.rules import RoutingRule, RuleSet
from socialcare_router.domain.sla import SlaPolicy
from socialcare_router.domain.surge import IncidentRoute
from socialcare_router.policies import QueueDoc, SlaPolicyDoc

log = logging.getLogger(__name__)
DEFAULT_POLICY_KEY = "*"


@dataclass(frozen=True)
class RoutingSnapshot:
    version: int
    rules: RuleSet
    queues: dict[str, QueueDoc] = field(default_factory=dict)
    sla: dict[str, SlaPolicy] = field(default_factory=dict)
    incident_routes: tuple[IncidentRoute, ...] = ()

    def sla_for(self, brand_account: str, fallback: SlaPolicy) -> SlaPolicy:
        """The brand's policy, else the stored default, else the settings' default."""
        return self.sla.get(brand_account) or self.sla.get(DEFAULT_POLICY_KEY) or fallback


def _parse(docs: list[dict[str, Any]], model: Callable[..., Any]) -> dict[str, Any]:
    parsed = {}
    for doc in docs:
        try:
            parsed[doc["_id"]] = model(**{k: v for k, v in doc.items() if k != "_id"})
        except ValidationError:
            # The API validated it on the way in; a bad stored document must not stop routing.
            log.warning("skipping invalid stored configuration %s", doc["_id"])
    return parsed


class RoutingConfig:
    def __init__(self, store: ConfigStore, refresh_s: float = 3.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.refresh_s = refresh_s
        self.monotonic = monotonic
        self._snapshot = RoutingSnapshot(version=-1, rules=RuleSet())
        self._checked_at = float("-inf")

    async def current(self) -> RoutingSnapshot:
        """The configuration in force, reloaded if the stored version moved."""
        if self.monotonic() - self._checked_at < self.refresh_s:
            return self._snapshot
        version = await self.store.routing_version()
        self._checked_at = self.monotonic()
        if version != self._snapshot.version:
            self._snapshot = await self._load()
            log.info("routing configuration version %d loaded", self._snapshot.version)
        return self._snapshot

    async def _load(self) -> RoutingSnapshot:
        routing = await self.store.routing()
        rules = []
        for raw in routing.get("rules", []):
            try:
                rules.append(RoutingRule.model_validate(raw))
            except ValidationError:
                log.warning("skipping invalid stored routing rule")
        sla_docs = _parse(await self.store.list_all("sla_policies"), SlaPolicyDoc)
        return RoutingSnapshot(
            version=routing.get("version", 0),
            rules=RuleSet(routing.get("version", 0), tuple(rules)),
            queues=_parse(await self.store.list_all("queues"), QueueDoc),
            sla={k: v.to_domain() for k, v in sla_docs.items()},
            # Setting or ending an incident's routing bumps the version, as rules do.
            incident_routes=await self.store.incidents.routes_in_force())
