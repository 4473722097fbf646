"""Care reports over a period: response and resolution times, SLA attainment, volumes.

Computed in Python from the conversations of the period, streamed from an indexed range
query on ``first_message_at`` (only the fields a report needs), so it runs the same on
every MongoDB-protocol server: MongoDB 7 walks the index, and no aggregation stage that
the embedded server lacks ($percentile) is needed. Deadlines are reported per kind: the
first response and the resolution.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Doc = dict[str, Any]
HOUR, DAY = timedelta(hours=1), timedelta(hours=24)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end else None


def summarize(docs: Iterable[Doc], now: datetime) -> dict[str, Any]:
    """Times in seconds (median, p90), shares in 0..1, SLA met/breached counts."""
    docs = list(docs)
    first = [s for d in docs if (s := _seconds(d["first_message_at"],
                                                d.get("first_response_at"))) is not None]
    resolved = [s for d in docs if (s := _seconds(d["first_message_at"],
                                                   d.get("resolved_at"))) is not None]
    met, breached = _attainment(docs, "first_response_due_at", "first_response_at", now)
    resolution_met, resolution_breached = _attainment(docs, "resolution_due_at", "resolved_at",
                                                      now)
    total = len(docs)
    return {
        "conversations": total,
        "answered": len(first),
        "first_response_median_s": percentile(first, 0.5),
        "first_response_p90_s": percentile(first, 0.9),
        "resolution_median_s": percentile(resolved, 0.5),
        "resolution_p90_s": percentile(resolved, 0.9),
        "answered_within_1h": sum(s <= HOUR.total_seconds() for s in first) / total
        if total else None,
        "answered_within_24h": sum(s <= DAY.total_seconds() for s in first) / total
        if total else None,
        "sla_met": met, "sla_breached": breached,
        "sla_attainment": met / (met + breached) if met + breached else None,
        "next_response_sla_met": sum(d.get("next_responses_met", 0) for d in docs),
        "next_response_sla_breached": sum(d.get("next_responses_breached", 0) for d in docs),
        "resolution_sla_met": resolution_met, "resolution_sla_breached": resolution_breached,
        "resolution_sla_attainment": resolution_met / (resolution_met + resolution_breached)
        if resolution_met + resolution_breached else None,
    }


def _attainment(docs: Iterable[Doc], due_field: str, done_field: str, now: datetime
                ) -> tuple[int, int]:
    """Deadlines met and breached; one not yet due and not yet done is neither."""
    met = breached = 0
    for d in docs:
        done, due = d.get(done_field), d.get(due_field)
        if due is None:
            continue
        if done is not None:
            met, breached = (met + 1, breached) if done <= due else (met, breached + 1)
        elif due < now:
            breached += 1
    return met, breached


# Upper bounds (seconds) of the first-response distribution's buckets.
BUCKETS = ((15 * 60, "under 15 min"), (3600, "15–60 min"), (4 * 3600, "1–4 h"),
           (12 * 3600, "4–12 h"), (24 * 3600, "12–24 h"))


def distribution(docs: Iterable[Doc]) -> dict[str, int]:
    """How many conversations were first answered within each bucket, and how many not yet."""
    counts = dict.fromkeys([*(label for _, label in BUCKETS), "over 24 h", "unanswered"], 0)
    for d in docs:
        waited = _seconds(d["first_message_at"], d.get("first_response_at"))
        if waited is None:
            counts["unanswered"] += 1
            continue
        counts[next((label for bound, label in BUCKETS if waited <= bound), "over 24 h")] += 1
    return counts


def build_report(docs: Sequence[Doc], now: datetime, timezone: str = "UTC") -> dict[str, Any]:
    """The whole report: overall, per agent, per queue, and volumes by dimension."""
    zone = ZoneInfo(timezone)
    by_agent: dict[str, list[Doc]] = defaultdict(list)
    by_queue: dict[str, list[Doc]] = defaultdict(list)
    by_brand: dict[str, list[Doc]] = defaultdict(list)
    volume: dict[str, Counter[str]] = {k: Counter() for k in
                                       ("platform", "intent", "sentiment", "hour")}
    for d in docs:
        # A resolved conversation no longer holds an assignee: the last one answered for it.
        by_agent[d.get("assignee") or d.get("last_assignee") or "unassigned"].append(d)
        by_queue[d["queue"]].append(d)
        by_brand[d.get("brand_account") or "unknown"].append(d)
        volume["platform"][d["platform"]] += 1
        volume["sentiment"][d.get("sentiment") or "unknown"] += 1
        volume["hour"][f"{d['first_message_at'].astimezone(zone).hour:02d}"] += 1
        for intent in d.get("intents") or ["none"]:
            volume["intent"][intent] += 1
    return {
        "overall": summarize(docs, now),
        "by_agent": {k: summarize(v, now) for k, v in sorted(by_agent.items())},
        "by_queue": {k: summarize(v, now) for k, v in sorted(by_queue.items())},
        "by_brand": {k: summarize(v, now) for k, v in sorted(by_brand.items())},
        "volume": {k: dict(sorted(v.items())) for k, v in volume.items()},
        "first_response_distribution": distribution(docs),
    }


def report_rows(report: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """The report flattened to (section, key, metric, value) rows, for CSV."""
    rows = [("overall", "", m, v) for m, v in report["overall"].items()]
    for section in ("by_agent", "by_queue", "by_brand"):
        rows += [(section, key, m, v) for key, metrics in report[section].items()
                 for m, v in metrics.items()]
    rows += [("volume", dimension, value, count)
             for dimension, counts in report["volume"].items()
             for value, count in counts.items()]
    rows += [("first_response_distribution", "", bucket, count)
             for bucket, count in report["first_response_distribution"].items()]
    return rows
