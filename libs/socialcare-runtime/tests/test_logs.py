"""JSON log lines carry no personal data, in the message or in an exception's traceback."""

import json
import logging
import sys

import pytest

from socialcare_runtime.logs import JsonFormatter

pytestmark = pytest.mark.unit


def _record_with_exception(message: str) -> logging.LogRecord:
    try:
        raise ValueError(message)
    except ValueError:
        exc_info = sys.exc_info()
    return logging.LogRecord("t", logging.ERROR, __file__, 1, "reply failed", None, exc_info)


def test_traceback_is_masked() -> None:
    record = _record_with_exception("bad address dana@example.com, card 4111 1111 1111 1111")
    entry = json.loads(JsonFormatter("svc").format(record))
    assert "dana@example.com" not in entry["exc"]
    assert "4111 1111 1111 1111" not in entry["exc"]
    assert "ValueError: bad address [email], card [card]" in entry["exc"]


def test_traceback_keeps_what_is_not_personal() -> None:
    record = _record_with_exception("offset 1861234567890123456 of topic t[3]")
    entry = json.loads(JsonFormatter("svc").format(record))
    assert "Traceback (most recent call last)" in entry["exc"]
    assert "ValueError: offset 1861234567890123456 of topic t[3]" in entry["exc"]
    assert entry["msg"] == "reply failed" and entry["service"] == "svc"
