"""Which faults happen when: a seeded, evenly spread plan over the traffic window (pure)."""

import random
from dataclasses import dataclass

# Services are killed with SIGKILL and started again. The sandbox gateway is not among
# them: it stands in for the platform, and its records are what "sent once" is judged by.
KILLED_SERVICES = ("ingest", "classifier", "classifier-api", "router-worker", "router-api",
                   "responder")
RESTARTED_SERVERS = ("kafka", "mongo")
GATEWAY_FAULTS = ("gateway-failures", "gateway-rate-limit", "gateway-outage")
POISON = "poison"


def fault_kinds() -> tuple[str, ...]:
    """Every fault the suite knows, once each."""
    return (*(f"kill:{s}" for s in KILLED_SERVICES),
            *(f"restart:{s}" for s in RESTARTED_SERVERS), *GATEWAY_FAULTS, POISON)


@dataclass(frozen=True)
class ScheduledFault:
    at_s: float
    kind: str


def plan(kinds: tuple[str, ...], repeats: int, duration_s: float, seed: int,
         start_share: float = 0.05, end_share: float = 0.8) -> list[ScheduledFault]:
    """Each kind ``repeats`` times, shuffled, one per slot of the window, at a random moment
    within its slot: random moments, but never two faults piled on the same instant."""
    if repeats < 1 or duration_s <= 0:
        raise ValueError("repeats must be >= 1 and the duration positive")
    rng = random.Random(seed)
    order = [kind for _ in range(repeats) for kind in kinds]
    rng.shuffle(order)
    start, span = duration_s * start_share, duration_s * (end_share - start_share)
    slot = span / len(order)
    return [ScheduledFault(round(start + slot * (i + rng.uniform(0.1, 0.9)), 2), kind)
            for i, kind in enumerate(order)]
