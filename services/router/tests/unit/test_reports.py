from datetime import UTC, datetime, timedelta

import pytest

from socialcare_router.domain.reports import build_report, percentile, report_rows

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
NOW = T0 + timedelta(days=2)


def conv(first_response_min: float | None, *, due_min: float = 60, resolved_h: float | None = None,
         queue: str = "general", assignee: str | None = "a1", intents: tuple = ("order",),
         platform: str = "x", at: datetime = T0) -> dict:
    return {"queue": queue, "assignee": assignee, "platform": platform, "sentiment": "negative",
            "intents": list(intents), "first_message_at": at,
            "first_response_due_at": at + timedelta(minutes=due_min),
            "first_response_at": at + timedelta(minutes=first_response_min)
            if first_response_min is not None else None,
            "resolved_at": at + timedelta(hours=resolved_h) if resolved_h is not None else None}


def test_percentiles_use_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert percentile(list(range(1, 11)), 0.9) == 9


def test_overall_times_shares_and_sla() -> None:
    docs = [conv(10, resolved_h=2), conv(30), conv(90), conv(60 * 30, due_min=12 * 60),
            conv(None)]  # unanswered and overdue: a breach
    overall = build_report(docs, NOW)["overall"]
    assert overall["conversations"] == 5
    assert overall["first_response_median_s"] == 30 * 60  # of the 4 answered
    assert overall["answered_within_1h"] == 2 / 5
    assert overall["answered_within_24h"] == 3 / 5
    assert (overall["sla_met"], overall["sla_breached"]) == (2, 3)
    assert overall["sla_attainment"] == 2 / 5
    assert overall["resolution_median_s"] == 2 * 3600


def test_not_yet_due_unanswered_work_is_neither_met_nor_breached() -> None:
    overall = build_report([conv(None, at=NOW - timedelta(minutes=5))], NOW)["overall"]
    assert (overall["sla_met"], overall["sla_breached"], overall["sla_attainment"]) == (0, 0, None)


def test_breakdowns_by_agent_queue_and_volume_in_the_brand_zone() -> None:
    docs = [conv(10, queue="vip", assignee="a2", intents=("refund", "order")),
            conv(10, platform="facebook", assignee=None, intents=())]
    report = build_report(docs, NOW, "America/New_York")
    assert set(report["by_agent"]) == {"a2", "unassigned"}
    assert report["by_queue"]["vip"]["conversations"] == 1
    assert report["volume"]["intent"] == {"none": 1, "order": 1, "refund": 1}
    assert report["volume"]["platform"] == {"facebook": 1, "x": 1}
    assert report["volume"]["hour"] == {"04": 2}  # 09:00 UTC is 04:00 in New York
    rows = report_rows(report)
    assert ("volume", "platform", "x", 1) in rows
    assert ("by_queue", "vip", "conversations", 1) in rows


def test_first_response_distribution_buckets_every_conversation() -> None:
    docs = [conv(5), conv(15), conv(16), conv(90), conv(60 * 5), conv(60 * 13), conv(60 * 30),
            conv(None)]
    report = build_report(docs, NOW)
    assert report["first_response_distribution"] == {
        "under 15 min": 2, "15–60 min": 1, "1–4 h": 1, "4–12 h": 1, "12–24 h": 1,
        "over 24 h": 1, "unanswered": 1}
    rows = [r for r in report_rows(report) if r[0] == "first_response_distribution"]
    assert sum(r[3] for r in rows) == len(docs)
