from datetime import UTC, datetime

import pytest

from socialcare_contracts import cloudevents, topics
from socialcare_contracts.cloudevents import InvalidEvent
from socialcare_contracts.events import MessageReceived, ReplySent
from socialcare_contracts.messages import NormalizedMessage

pytestmark = pytest.mark.unit

MESSAGE = NormalizedMessage(platform="x", channel="mention", brand_account="acme",
                            platform_message_id="1", author={"id": "u1"}, text="hello ✨",
                            created_at=datetime(2026, 11, 23, tzinfo=UTC))


def test_round_trip_keeps_payload_attributes_and_extensions() -> None:
    value, headers = cloudevents.encode(MessageReceived(message=MESSAGE), source="ingest",
                                        event_id="e-1", extensions={"traceparent": "00-abc"})
    names = [k for k, _ in headers]
    assert {"ce_id", "ce_type", "ce_source", "ce_time", "ce_specversion",
            "content-type"} <= set(names)
    envelope = cloudevents.decode(value, headers, MessageReceived)
    assert envelope.id == "e-1" and envelope.type == topics.MESSAGES_RECEIVED
    assert envelope.data.message == MESSAGE
    assert envelope.extensions == {"traceparent": "00-abc"}


def test_wrong_type_missing_headers_and_bad_payloads_are_invalid() -> None:
    value, headers = cloudevents.encode(MessageReceived(message=MESSAGE), source="ingest")
    with pytest.raises(InvalidEvent, match="expected"):
        cloudevents.decode(value, headers, ReplySent)
    with pytest.raises(InvalidEvent, match="ce_id"):
        cloudevents.decode(value, [h for h in headers if h[0] != "ce_id"], MessageReceived)
    with pytest.raises(InvalidEvent, match="invalid MessageReceived"):
        cloudevents.decode(b'{"message": {}}', headers, MessageReceived)
    with pytest.raises(InvalidEvent, match="invalid MessageReceived"):
        cloudevents.decode(b"\xff{", headers, MessageReceived)
    with pytest.raises(InvalidEvent, match="specversion"):
        cloudevents.decode(value, [("ce_type", topics.MESSAGES_RECEIVED.encode())],
                           MessageReceived)
