"""How the stack grouped and flagged the spike's burst: pure computations on what its API
returned (cluster members and incidents) and what the benchmark sent."""

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from bench.spike.burst import is_burst

TOP = 3  # "one or a few clusters": the burst's three biggest


def cluster_scores(clusters: Iterable[Collection[str]], burst: int, unrelated: int
                   ) -> dict[str, Any]:
    """Recall and precision of the clusters that hold most of the burst.

    ``clusters`` are member ids (platform message ids: the burst's are marked) per cluster;
    ``burst`` and ``unrelated`` how many of the burst's and of the brand's other messages
    were stored. Clusters holding burst messages are ranked by how many; recall is the
    burst's share in the first (and in the first ``TOP``), precision the burst's share of
    their members, and "joined" the other messages in them, also as a share of all.
    """
    ranked = sorted(((sum(map(is_burst, c)), len(c)) for c in clusters), reverse=True)
    ranked = [(hits, size) for hits, size in ranked if hits]
    figures: dict[str, Any] = {"burst": burst, "unrelated": unrelated,
                               "clusters with burst": len(ranked)}
    for name, chosen in (("top 1", ranked[:1]), (f"top {TOP}", ranked[:TOP])):
        hits = sum(h for h, _ in chosen)
        members = sum(n for _, n in chosen)
        joined = members - hits
        figures[name] = {"clusters": len(chosen), "members": members, "burst in them": hits,
                         "recall": hits / burst if burst else None,
                         "precision": hits / members if members else None,
                         "unrelated joined": joined,
                         "unrelated joined share": joined / unrelated if unrelated else None}
    return figures


def incident_timing(incidents: Iterable[Mapping[str, Any]], brand: str,
                    burst_start: datetime) -> dict[str, Any]:
    """The brand's first incident that opened once the burst began: seconds from the burst's
    start to its opening and to its closing (None while open), and how many opened before."""
    mine = sorted((i for i in incidents if i["brand_account"] == brand),
                  key=lambda i: _at(i["opened_at"]))
    after = [i for i in mine if _at(i["opened_at"]) >= burst_start]
    figures: dict[str, Any] = {"opened before the burst": len(mine) - len(after),
                               "incidents": len(mine)}
    if not after:
        return {**figures, "opened after s": None, "detected after s": None,
                "closed after s": None}
    first = after[0]
    closed = first.get("closed_at")
    return {**figures, "intent": first["intent"],
            "opened after s": (_at(first["opened_at"]) - burst_start).total_seconds(),
            # Wall clock: later than the opening's event time while the router lags.
            "detected after s": (_at(first["detected_at"]) - burst_start).total_seconds()
            if first.get("detected_at") else None,
            "closed after s": (_at(closed) - burst_start).total_seconds() if closed else None,
            "peak per minute": first.get("peak_per_minute"),
            "baseline per minute": first.get("baseline_per_minute")}


def _at(value: datetime | str) -> datetime:
    """A time from the API (ISO 8601 text) or already parsed."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
