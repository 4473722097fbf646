"""Publishes the event contracts for integrators: one JSON Schema per topic and AsyncAPI.

``make schemas`` rewrites libs/socialcare-contracts/schemas/. It refuses a change that
would break existing consumers (a removed field, a changed type, a required field made
optional): such a change needs a new topic version (``.v2``) instead. Consumers ignore
unknown fields and read unknown enum values by the rule each enum's ``x-unknown-value``
states (``socialcare_contracts.tolerant``), so additions are fine.
"""

import argparse
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from socialcare_contracts import tolerant
from socialcare_contracts.events import EVENT_TOPICS

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "libs/socialcare-contracts/schemas"
Schema = dict[str, Any]


def current_schemas() -> dict[str, Schema]:
    """The JSON Schema of each topic's payload, from the pydantic models, as consumers read
    it: open to added fields, each enum saying how an unknown value is read."""
    out = {}
    for model, topic in EVENT_TOPICS.items():
        schema = _as_read(model.model_json_schema(mode="serialization"))
        schema["$id"] = f"https://socialcare.dev/schemas/{topic}.json"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[topic] = schema
    return out


# Every enum of the contracts, by the name pydantic gives its schema.
ENUMS = {e.__name__: e for e in StrEnum.__subclasses__()
         if e.__module__.startswith("socialcare_contracts.")}


def _as_read(node: Any) -> Any:
    """Producers refuse unknown fields, consumers ignore them: the published schema says
    what a consumer accepts, so ``additionalProperties: false`` is left out."""
    if isinstance(node, list):
        return [_as_read(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_read(v) for k, v in node.items() if (k, v) != ("additionalProperties", False)}
    if "enum" in out and out.get("title") in ENUMS:
        out["x-unknown-value"] = tolerant.read_unknown_as(ENUMS[out["title"]])
    return out


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Why a consumer written against ``old`` could fail on an event valid under ``new``."""
    problems: list[str] = []
    _compare(old, new, old.get("$defs", {}), new.get("$defs", {}), "$", problems)
    return problems


def _resolve(node: Schema, defs: Schema) -> Schema:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _types(node: Schema, defs: Schema) -> set[str]:
    node = _resolve(node, defs)
    if "anyOf" in node:
        return set().union(*(_types(n, defs) for n in node["anyOf"]))
    if "enum" in node or "const" in node:
        return {"enum"}
    return {node.get("type", "any")}


def _compare(old: Schema, new: Schema, old_defs: Schema, new_defs: Schema, path: str,
             problems: list[str]) -> None:
    old, new = _resolve(old, old_defs), _resolve(new, new_defs)
    added_types = _types(new, new_defs) - _types(old, old_defs)
    if added_types and "any" not in _types(old, old_defs):
        problems.append(f"{path}: may now be {sorted(added_types)}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}.{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        if name in old.get("required", ()) and name not in new.get("required", ()):
            problems.append(f"{where}: no longer required")
        _compare(old_prop, new_props[name], old_defs, new_defs, where, problems)
    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], old_defs, new_defs, f"{path}[]", problems)


def asyncapi(schemas: dict[str, Schema]) -> Schema:
    """An AsyncAPI 3 document of the topics, CloudEvents binary-mode headers included."""
    headers = {"type": "object", "required": ["ce_id", "ce_type", "ce_source", "ce_time",
                                              "ce_specversion", "content-type"],
               "properties": {h: {"type": "string"} for h in (
                   "ce_id", "ce_type", "ce_source", "ce_time", "ce_specversion", "content-type",
                   "traceparent", "tracestate")}}
    channels, messages = {}, {}
    for topic in schemas:
        name = topic.removeprefix("socialcare.").replace(".", "_")
        messages[name] = {"name": name, "contentType": "application/json",
                          "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                          "payload": {"$ref": f"./{topic}.json"}}
        channels[name] = {"address": topic,
                          "messages": {name: {"$ref": f"#/components/messages/{name}"}}}
    return {"asyncapi": "3.0.0",
            "info": {"title": "SocialCare events", "version": "1",
                     "description": "Kafka topics of SocialCare. Keys: conversation key "
                                    "(platform:brand:customer) or conversation id. Producers "
                                    "write strictly; consumers ignore unknown fields, read an "
                                    "unknown value of an optional enum field as absent and of "
                                    "a required one as its x-unknown-value says ('kept as sent'"
                                    ": passed on unchanged)."},
            "channels": channels,
            "components": {"messages": messages,
                           "schemas": {"CloudEventHeaders": headers}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report, write nothing")
    args = parser.parse_args()
    schemas = current_schemas()
    failures = []
    for topic, schema in schemas.items():
        path = SCHEMAS / f"{topic}.json"
        if path.exists():
            failures += [f"{topic} {p}" for p in breaking_changes(json.loads(path.read_text()),
                                                                   schema)]
    if failures:
        sys.stderr.write("breaking changes need a new topic version:\n  " +
                         "\n  ".join(failures) + "\n")
        raise SystemExit(1)
    if args.check:
        return
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    for topic, schema in schemas.items():
        (SCHEMAS / f"{topic}.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    (SCHEMAS / "asyncapi.yaml").write_text(yaml.safe_dump(asyncapi(schemas), sort_keys=False))
    sys.stdout.write(f"wrote {len(schemas)} schemas and asyncapi.yaml to {SCHEMAS}\n")


if __name__ == "__main__":
    main()
