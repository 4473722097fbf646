import json
from datetime import UTC, datetime

import pytest

from socialcare_ingest.intake import RejectedInput, parse_messages

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def valid(mid: str = "1") -> dict:
    return {"platform": "api", "channel": "direct_message", "brand_account": "acme",
            "platform_message_id": mid, "author": {"id": "u1"}, "text": "where is my order?",
            "created_at": "2026-11-23T11:00:00+00:00"}


def rejected(body: bytes, max_batch: int = 10) -> RejectedInput:
    with pytest.raises(RejectedInput) as info:
        parse_messages(body, max_batch, NOW)
    return info.value


def test_single_message_and_batch_are_accepted_with_server_receive_time() -> None:
    one = parse_messages(json.dumps(valid()).encode(), 10, NOW)
    many = parse_messages(json.dumps({"messages": [valid("1"), valid("2")]}).encode(), 10, NOW)
    assert [m.platform_message_id for m in one + many] == ["1", "1", "2"]
    assert all(m.received_at == NOW for m in one + many)


def test_one_invalid_item_rejects_the_whole_batch_with_its_index() -> None:
    bad = valid("2") | {"created_at": "not a date"}
    error = rejected(json.dumps({"messages": [valid("1"), bad]}).encode())
    assert error.status == 422
    assert error.detail[0]["index"] == 1 and error.detail[0]["field"] == "created_at"


def test_naive_timestamps_and_unknown_fields_are_refused() -> None:
    assert rejected(json.dumps(valid() | {"created_at": "2026-11-23T11:00:00"}).encode()).status \
        == 422
    assert rejected(json.dumps(valid() | {"colour": "red"}).encode()).detail[0]["field"] == "colour"


@pytest.mark.parametrize("body, status, words", [
    (b"\xff\xfe{}", 400, "UTF-8"),
    (b'{"platform": ', 400, "malformed JSON"),
    (b"[1, 2]", 422, "message object"),
    (b'{"messages": []}', 422, "non-empty"),
    (b'{"messages": [{}], "extra": 1}', 422, "only the field"),
])
def test_malformed_bodies_say_why(body: bytes, status: int, words: str) -> None:
    error = rejected(body)
    assert error.status == status and words in str(error.detail)


def test_batches_over_the_limit_are_refused() -> None:
    body = json.dumps({"messages": [valid(str(i)) for i in range(11)]}).encode()
    assert rejected(body, max_batch=10).status == 422
