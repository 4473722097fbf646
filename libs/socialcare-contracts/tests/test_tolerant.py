"""Every event type, written by a newer producer, is read by this version's consumers."""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pytest
from pydantic import ValidationError

from socialcare_contracts import cloudevents, events, tolerant
from socialcare_contracts.cloudevents import InvalidEvent
from socialcare_contracts.events import EVENT_TOPICS, ReplyKind
from socialcare_contracts.incidents import IncidentUpdated
from socialcare_contracts.messages import Contract, NormalizedMessage, Platform

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
MESSAGE = NormalizedMessage(platform="x", channel="mention", brand_account="acme",
                            platform_message_id="1", author={"id": "u1"}, text="hi",
                            created_at=AT)
CLASSIFICATION = events.Classification(language="en", language_confidence=0.9,
                                       sentiment={"label": "neutral", "score": 0},
                                       model_version="m1")
REPLY = {"reply_id": "r1", "conversation_id": "c1", "platform": "x", "requested_at": AT}
EXAMPLES: list[Contract] = [
    events.MessageReceived(message=MESSAGE),
    events.MessageClassified(message=MESSAGE, classification=CLASSIFICATION),
    events.ClassificationRefined(message=MESSAGE, classification=CLASSIFICATION,
                                 refined=("sentiment",), fast_sentiment="positive",
                                 fast_priority=10),
    events.DeepModelChanged(kind="sentiment", version="deep-sentiment-1", changed_at=AT),
    events.ConversationUpdated(conversation_id="c1", change="created", status="open",
                               platform="x", brand_account="acme", customer_id="u1",
                               queue="general", priority=10, message_count=1,
                               first_response_due_at=AT, updated_at=AT),
    events.ReplyRequested(**REPLY, brand_account="acme", kind="public", in_reply_to_id="1",
                          recipient_id="u1", text="thanks", agent_id="a1"),
    events.ReplySent(**REPLY, platform_message_id="2", sent_at=AT),
    events.ReplyFailed(**REPLY, code="unavailable", reason="down", failed_at=AT),
    events.DeadLettered(reason="r", stage="s", service="svc", source_topic="t", partition=0,
                        offset=1, value_base64="", dead_lettered_at=AT),
    events.ClassifierRulesChanged(brand="acme", version="v1", changed_at=AT),
    IncidentUpdated(incident_id="i1", change="opened", brand_account="acme", intent="*",
                    opened_at=AT, messages=40, per_minute=8.0, baseline_per_minute=0.5,
                    peak_per_minute=8.0, negative_share=0.3, updated_at=AT),
]


def test_there_is_an_example_of_every_event_type() -> None:
    assert {type(e) for e in EXAMPLES} == set(EVENT_TOPICS)


FREE_FORM = {"headers", "taxonomy", "decided_by"}  # maps, not objects with fields


def _newer(document: Any) -> Any:
    """What a newer producer might write: a new field in every object."""
    if isinstance(document, dict):
        return {**{k: v if k in FREE_FORM else _newer(v) for k, v in document.items()},
                "added_in_v1_1": {"x": [1]}}
    if isinstance(document, list):
        return [_newer(v) for v in document]
    return document


def _enum_paths(model: type[Contract], document: dict[str, Any], path: tuple[str, ...] = ()
                ) -> list[tuple[tuple[str, ...], type[StrEnum]]]:
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, StrEnum) and name in document:
            found.append(((*path, name), annotation))
        elif isinstance(annotation, type) and issubclass(annotation, Contract) and isinstance(
                document.get(name), dict):
            found += _enum_paths(annotation, document[name], (*path, name))
    return found


def _set(document: dict[str, Any], path: tuple[str, ...], value: str) -> None:
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_an_added_field_and_new_enum_values_are_read_not_refused(event: Contract) -> None:
    model = type(event)
    value, headers = cloudevents.encode(event, source="newer-producer")
    document = _newer(json.loads(value))
    enums = _enum_paths(model, json.loads(value))
    for path, _ in enums:
        _set(document, path, "added_value")
    newer = json.dumps(document).encode()
    with pytest.raises(ValidationError):  # producers stay strict
        model.model_validate_json(newer)

    read = cloudevents.decode(newer, headers, model).data

    assert type(read) is model
    if not enums:
        assert read == event
    for path, enum in enums:
        got: Any = read
        for key in path:
            got = getattr(got, key)
        assert isinstance(got, enum)
        assert got.value == tolerant.read_unknown_as(enum).replace("kept as sent",
                                                                   "added_value")


def test_an_unknown_platform_is_kept_and_passed_on_unchanged() -> None:
    value, headers = cloudevents.encode(events.MessageReceived(message=MESSAGE), source="s")
    newer = value.replace(b'"platform":"x"', b'"platform":"tiktok"')
    message = cloudevents.decode(newer, headers, events.MessageReceived).data.message
    assert message.platform == "tiktok" and message.platform not in set(Platform)
    assert json.loads(message.model_dump_json())["platform"] == "tiktok"


def test_an_unknown_reply_kind_is_read_as_a_direct_message() -> None:
    reply = next(e for e in EXAMPLES if isinstance(e, events.ReplyRequested))
    value, headers = cloudevents.encode(reply, source="s")
    newer = value.replace(b'"kind":"public"', b'"kind":"voice_note"')
    assert cloudevents.decode(newer, headers, events.ReplyRequested).data.kind is ReplyKind.DIRECT


@pytest.mark.parametrize("change", [
    lambda m: m.pop("text"),  # a required field missing
    lambda m: m.__setitem__("created_at", "9999-12-31T23:59:59-23:59"),  # out of limits
    lambda m: m.__setitem__("text", 5),  # a changed type
])
def test_a_broken_event_is_still_invalid(change: Any) -> None:
    value, headers = cloudevents.encode(events.MessageReceived(message=MESSAGE), source="s")
    document = _newer(json.loads(value))
    change(document["message"])
    with pytest.raises(InvalidEvent, match="invalid MessageReceived"):
        cloudevents.decode(json.dumps(document).encode(), headers, events.MessageReceived)
