"""Page-bucket keys and order (adapters/page_buckets), without a server."""

from datetime import UTC, datetime, timedelta

import pytest

from socialcare_router.adapters.page_buckets import (
    NO_DUE,
    after_cursor,
    page_order,
    placement_of,
    placing,
)

pytestmark = pytest.mark.unit
T0 = datetime(2026, 12, 3, 13, 5, 42, tzinfo=UTC)


def doc(cid: str, due: datetime | None, queue: str = "care", status: str = "open") -> dict:
    return {"_id": cid, "queue": queue, "status": status, "due_at": due, "version": 3}


def test_an_open_conversation_goes_in_the_bucket_of_its_queue_status_and_due_minute() -> None:
    placement = placement_of(doc("c1", T0))
    assert placement is not None
    assert placement.bucket == "b|care|open|2026-12-03T13:05"
    assert placement.directory == "d|care|open"
    assert placement.value == [T0, 3]
    assert placement_of(doc("c1", T0, status="resolved")) is None
    # A naive datetime (a client without tz_aware) is UTC: the same minute.
    assert placement_of(doc("c1", T0.replace(tzinfo=None))).bucket == placement.bucket


def test_queue_names_with_the_separator_never_share_a_bucket() -> None:
    one = placement_of(doc("c1", T0, queue="a|open"))
    other = placement_of(doc("c1", T0, queue="a", status="open|open"))
    assert one.bucket != other.bucket and one.directory != other.directory


def test_minutes_sort_as_mongodb_sorts_due_at_a_missing_one_first() -> None:
    keys = [placement_of(doc("c", d)).minute for d in (T0 + timedelta(days=400), T0, None)]
    assert sorted(keys) == [NO_DUE, "2026-12-03T13:05", "2028-01-07T13:05"]
    docs = [doc("b", T0), doc("a", T0), doc("z", None), doc("c", T0 - timedelta(seconds=1))]
    assert [d["_id"] for d in sorted(docs, key=page_order)] == ["z", "c", "a", "b"]


def test_a_cursor_keeps_what_comes_after_it_in_page_order() -> None:
    after = (T0, "b", None)
    assert after_cursor(doc("c", T0), after) and after_cursor(doc("a", T0 + timedelta(1)), after)
    assert not after_cursor(doc("b", T0), after) and not after_cursor(doc("a", T0), after)
    assert not after_cursor(doc("z", None), after)  # $gt on a date never matches null
    assert after_cursor(doc("z", None), None)


def test_buckets_are_written_before_their_directories_name_them() -> None:
    requests = placing([placement_of(doc(f"c{i}", T0 + timedelta(minutes=i % 2)))
                        for i in range(4)])
    targets = [r._filter["_id"] for r in requests]
    assert targets == ["b|care|open|2026-12-03T13:05", "b|care|open|2026-12-03T13:06",
                       "d|care|open"]
    assert requests[0]._doc == {"$set": {"e.c0": [T0, 3], "e.c2": [T0, 3]}}
    assert requests[2]._doc == {"$set": {"m.2026-12-03T13:05": True,
                                         "m.2026-12-03T13:06": True}}
