"""The demo support desk: saved replies, queues and routing rules seeded through the inbox API.

``socialcare up`` seeds what is missing after the services are ready, with the development
supervisor key, so the first run looks like a working desk. Nothing a user changed is
overwritten: a saved reply or queue that exists is kept as it is, and routing rules are
written only while the rule set has never been set (version 0).
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import httpx

from socialcare_text.templates import initials

DEV_SUPERVISOR_KEY = "dev-supervisor-key"


def load_demo() -> dict[str, Any]:
    """The demo desk's content (``data/demo_desk.json``)."""
    text = resources.files("socialcare_local").joinpath("data/demo_desk.json").read_text("utf-8")
    return json.loads(text)


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the console."""
        made = ", ".join(self.created) or "nothing (all present)"
        return f"demo desk: created {made}; kept {len(self.kept)} existing"


def seed(client: httpx.Client, demo: Mapping[str, Any]) -> SeedReport:
    """Creates the demo's missing saved replies, rules and queues; keeps what exists."""
    report = SeedReport()
    rules = _ok(client.get("/v1/routing-rules")).json()
    if rules["version"] == 0 and not rules["rules"]:
        _ok(client.put("/v1/routing-rules", json={"rules": demo["routing_rules"],
                                                  "expected_version": 0}))
        report.created.append(f"{len(demo['routing_rules'])} routing rules")
    else:
        report.kept.append("routing rules")
    for collection, path, noun in (("queues", "/v1/queues", "queue"),
                                   ("saved_replies", "/v1/saved-replies", "saved reply")):
        existing = {doc["id"] for doc in _ok(client.get(path)).json()}
        for name, body in demo[collection].items():
            if name in existing:
                report.kept.append(f"{noun} {name}")
                continue
            _ok(client.put(f"{path}/{name}", json=body))
            report.created.append(f"{noun} {name}")
    return report


def seed_demo(inbox_url: str, api_key: str = DEV_SUPERVISOR_KEY) -> SeedReport:
    """Seeds the demo desk into the running inbox at ``inbox_url``."""
    with httpx.Client(base_url=inbox_url, headers={"X-API-Key": api_key},
                      timeout=10.0) as client:
        return seed(client, load_demo())


def rules_apply_within_s(environ: Mapping[str, str]) -> float:
    """How long workers may route by the old rules: their refresh interval."""
    return float(environ.get("SOCIALCARE_ROUTING_REFRESH_S") or 3.0)


def _ok(response: httpx.Response) -> httpx.Response:
    if response.is_error:
        raise RuntimeError(f"demo desk: {response.request.method} {response.request.url.path} "
                           f"answered {response.status_code}: {response.text[:200]}")
    return response


def agent_initials_env(environ: Mapping[str, str], demo: Mapping[str, Any]) -> str:
    """``SOCIALCARE_AGENT_INITIALS`` with every known agent's initials; explicit values win.

    The agents are those of ``SOCIALCARE_INBOX_USERS`` when set, else the development users
    the demo names. Whether a reply carries the signature stays the brand policy's choice.
    """
    explicit: dict[str, str] = json.loads(environ.get("SOCIALCARE_AGENT_INITIALS") or "{}")
    users = json.loads(environ["SOCIALCARE_INBOX_USERS"]).values() \
        if environ.get("SOCIALCARE_INBOX_USERS") else demo["agents"]
    derived = {u["id"]: initials(u["name"]) for u in users if initials(u["name"])}
    return json.dumps({**derived, **explicit})


def default_agent_initials(dotenv: Mapping[str, str]) -> None:
    """Gives the services started next every agent's initials, unless configured."""
    environ = {**dotenv, **os.environ}
    os.environ["SOCIALCARE_AGENT_INITIALS"] = agent_initials_env(environ, load_demo())
