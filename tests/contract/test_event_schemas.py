"""Integrators' contract: committed schemas are current, and changes never break consumers."""

import copy
import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.contract
ROOT = Path(__file__).resolve().parents[2]


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / f"scripts/{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


schemas = _load("event_schemas")


def test_committed_schemas_are_what_the_models_produce() -> None:
    for topic, schema in schemas.current_schemas().items():
        committed = json.loads((schemas.SCHEMAS / f"{topic}.json").read_text())
        assert schemas.breaking_changes(committed, schema) == [], topic
        assert committed == schema, f"{topic} changed compatibly: run `make schemas` and commit"


def test_every_topic_is_in_the_asyncapi_document() -> None:
    import yaml

    document = yaml.safe_load((schemas.SCHEMAS / "asyncapi.yaml").read_text())
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == set(schemas.current_schemas())


def received_schema() -> dict:
    return schemas.current_schemas()["socialcare.messages.received.v1"]


def test_adding_an_optional_field_is_compatible() -> None:
    new = copy.deepcopy(received_schema())
    new["$defs"]["NormalizedMessage"]["properties"]["mood"] = {"type": "string"}
    assert schemas.breaking_changes(received_schema(), new) == []


@pytest.mark.parametrize("change, expected", [
    (lambda m: m["properties"].pop("text"), "text: removed"),
    (lambda m: m["required"].remove("text"), "text: no longer required"),
    (lambda m: m["properties"].__setitem__("text", {"type": "integer"}), "text: may now be"),
])
def test_breaking_changes_are_reported(change, expected: str) -> None:  # type: ignore[no-untyped-def]
    new = copy.deepcopy(received_schema())
    change(new["$defs"]["NormalizedMessage"])
    problems = schemas.breaking_changes(received_schema(), new)
    assert any(expected in p for p in problems), problems


def test_published_schemas_are_open_and_say_how_unknown_enum_values_are_read() -> None:
    def walk(node, found):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            found.append(node)
            for value in node.values():
                walk(value, found)
        elif isinstance(node, list):
            for value in node:
                walk(value, found)
        return found

    for topic, schema in schemas.current_schemas().items():
        nodes = walk(schema, [])
        assert not [n for n in nodes if n.get("additionalProperties") is False], topic
        assert all("x-unknown-value" in n for n in nodes if "enum" in n), topic
    requested = schemas.current_schemas()["socialcare.replies.requested.v1"]["$defs"]
    assert requested["ReplyKind"]["x-unknown-value"] == "direct"
    assert requested["Platform"]["x-unknown-value"] == "kept as sent"
