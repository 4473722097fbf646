"""Turns an API-channel request body into validated messages, or says exactly what is wrong."""

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from socialcare_contracts.messages import NormalizedMessage


class RejectedInput(ValueError):
    """The body is unusable; ``status`` is the HTTP code and ``detail`` the reason(s)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail


def parse_json(body: bytes) -> Any:
    """The JSON document in a request body, or a 400 saying what is wrong with it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectedInput(400, f"body is not valid UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RejectedInput(400, f"malformed JSON: {exc.msg} at line {exc.lineno} "
                                 f"column {exc.colno}") from None
    except RecursionError:
        raise RejectedInput(400, "JSON is nested too deeply") from None


def parse_messages(body: bytes, max_batch: int,
                   now: datetime | None = None) -> list[NormalizedMessage]:
    """Parses one message or ``{"messages": [...]}``; all valid or nothing is accepted."""
    document = parse_json(body)
    if isinstance(document, dict) and "messages" in document:
        items = document["messages"]
        if set(document) != {"messages"}:
            raise RejectedInput(422, "a batch has only the field 'messages'")
        if not isinstance(items, list) or not items:
            raise RejectedInput(422, "'messages' must be a non-empty array")
    elif isinstance(document, dict):
        items = [document]
    else:
        raise RejectedInput(422, "body must be a message object or {\"messages\": [...]}")
    if len(items) > max_batch:
        # 422, not 413: the request schema states the limit (maxItems), so it is invalid input.
        raise RejectedInput(422, f"batch of {len(items)} messages exceeds {max_batch}")
    received_at = now or datetime.now(UTC)
    messages: list[NormalizedMessage] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            message = NormalizedMessage.model_validate(item)
        except ValidationError as exc:
            errors.extend({"index": index, "field": ".".join(map(str, e["loc"])),
                           "error": e["msg"]} for e in exc.errors(include_url=False))
            continue
        messages.append(message.model_copy(update={"received_at": received_at}))
    if errors:
        raise RejectedInput(422, errors[:50])
    return messages
