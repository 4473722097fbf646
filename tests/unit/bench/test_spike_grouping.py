"""The spike's burst figures: recall and precision from cluster members, time to incident."""

from datetime import UTC, datetime, timedelta

import pytest

from bench.spike.grouping import cluster_scores, incident_timing

pytestmark = pytest.mark.unit

BURST = [f"r-burst-{i}" for i in range(100)]


def test_clusters_are_ranked_by_the_burst_they_hold_not_by_size() -> None:
    clusters = [[f"r-{i}" for i in range(500)],             # bigger, but none of the burst
                BURST[:80] + ["r-1", "r-2"], BURST[80:95], BURST[95:98] + ["r-3"], ["r-4"]]
    scores = cluster_scores(clusters, burst=100, unrelated=1000)

    top, top3 = scores["top 1"], scores["top 3"]
    assert scores["clusters with burst"] == 3
    assert (top["burst in them"], top["members"], top["unrelated joined"]) == (80, 82, 2)
    assert top["recall"] == 0.80 and top["precision"] == 80 / 82
    assert top["unrelated joined share"] == 0.002
    assert (top3["burst in them"], top3["members"], top3["unrelated joined"]) == (98, 101, 3)
    assert top3["recall"] == 0.98 and top3["precision"] == 98 / 101


def test_clusters_without_the_burst_never_count_as_its_clusters() -> None:
    clusters = [BURST[:90] + ["r-1"], [f"r-{i}" for i in range(10, 60)], ["r-2", "r-3"]]
    top3 = cluster_scores(clusters, burst=100, unrelated=1000)["top 3"]
    assert (top3["clusters"], top3["members"], top3["unrelated joined"]) == (1, 91, 1)


def test_no_clusters_or_no_burst_give_no_ratios() -> None:
    nothing = cluster_scores([], burst=100, unrelated=0)
    assert nothing["top 1"]["recall"] == 0 and nothing["top 1"]["precision"] is None
    assert nothing["top 1"]["unrelated joined share"] is None
    assert cluster_scores([["r-1"]], burst=0, unrelated=5)["top 1"]["recall"] is None


START = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def incident(brand: str, opened_s: float, closed_s: float | None = None,
             intent: str = "*", seen_s: float | None = None) -> dict:
    at = START + timedelta(seconds=opened_s)
    seen = {} if seen_s is None else {
        "detected_at": (START + timedelta(seconds=seen_s)).isoformat()}
    return {"brand_account": brand, "intent": intent, "opened_at": at.isoformat(), **seen,
            "closed_at": None if closed_s is None else
            (START + timedelta(seconds=closed_s)).isoformat().replace("+00:00", "Z"),
            "peak_per_minute": 900.0, "baseline_per_minute": 60.0}


def test_the_first_incident_of_the_brand_after_the_burst_began_is_timed() -> None:
    incidents = [incident("acmeshop", 40, intent="promo_code"), incident("other", 5),
                 incident("acmeshop", 21, 150, seen_s=95), incident("acmeshop", -30, -2)]
    timing = incident_timing(incidents, "acmeshop", START)

    assert timing["opened after s"] == 21 and timing["closed after s"] == 150
    # A lagging router dates the opening in event time and sees it later.
    assert timing["detected after s"] == 95
    assert timing["intent"] == "*"
    assert timing["incidents"] == 3 and timing["opened before the burst"] == 1


def test_an_incident_still_open_or_none_at_all() -> None:
    still_open = incident_timing([incident("acmeshop", 30)], "acmeshop", START)
    assert still_open["closed after s"] is None and still_open["detected after s"] is None
    none = incident_timing([incident("acmeshop", -10)], "acmeshop", START)
    assert none["opened after s"] is None and none["opened before the burst"] == 1
