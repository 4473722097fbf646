import json
from typing import Any

import httpx
import pytest

from socialcare_local import demo

pytestmark = pytest.mark.unit


class FakeInbox:
    """The inbox routes the seed uses, in memory, refusing what the real one refuses."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {"queues": {}, "saved-replies": {}}
        self.rules: dict[str, Any] = {"version": 0, "rules": []}
        self.writes: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["X-API-Key"] == "dev-supervisor-key"
        parts = request.url.path.strip("/").split("/")[1:]
        if parts == ["routing-rules"]:
            if request.method == "GET":
                return httpx.Response(200, json=self.rules)
            body = json.loads(request.content)
            if body["expected_version"] != self.rules["version"]:
                return httpx.Response(409, json={"detail": "changed"})
            self.rules = {"version": self.rules["version"] + 1, "rules": body["rules"]}
            self.writes.append("routing-rules")
            return httpx.Response(200, json=self.rules)
        docs = self.docs[parts[0]]
        if request.method == "GET":
            return httpx.Response(200, json=[{"id": k, **v} for k, v in docs.items()])
        docs[parts[1]] = json.loads(request.content)
        self.writes.append("/".join(parts))
        return httpx.Response(200, json={"id": parts[1], **docs[parts[1]]})


def client(inbox: FakeInbox) -> httpx.Client:
    return httpx.Client(base_url="http://inbox", transport=httpx.MockTransport(inbox),
                        headers={"X-API-Key": "dev-supervisor-key"})


def test_a_fresh_inbox_gets_the_whole_desk_and_a_second_run_changes_nothing() -> None:
    inbox, content = FakeInbox(), demo.load_demo()
    first = demo.seed(client(inbox), content)
    assert set(inbox.docs["saved-replies"]) == set(content["saved_replies"])
    assert set(inbox.docs["queues"]) == {"general", "care"}
    assert [r["id"] for r in inbox.rules["rules"]][:2] == ["urgent-to-care", "unhappy-to-care"]
    assert "saved reply late" in first.created
    writes = len(inbox.writes)
    second = demo.seed(client(inbox), content)
    assert len(inbox.writes) == writes and second.created == []


def test_what_a_user_changed_or_set_is_kept() -> None:
    inbox = FakeInbox()
    inbox.docs["saved-replies"]["late"] = {"title": "Mine", "text": "Our own words"}
    inbox.rules = {"version": 3, "rules": []}  # a user emptied the rules on purpose
    demo.seed(client(inbox), demo.load_demo())
    assert inbox.docs["saved-replies"]["late"] == {"title": "Mine", "text": "Our own words"}
    assert inbox.rules == {"version": 3, "rules": []}
    assert "saved-replies/dm" in inbox.writes


def test_a_refusal_stops_the_seed_with_its_reason() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"detail": "supervisors only"})
    with pytest.raises(RuntimeError, match="403.*supervisors only"):
        demo.seed(httpx.Client(base_url="http://inbox", transport=httpx.MockTransport(refuse)),
                  demo.load_demo())


def test_the_demo_content_is_what_the_inbox_accepts() -> None:
    from socialcare_router.api_admin import SavedReplyDoc
    from socialcare_router.domain.rules import RoutingRule
    from socialcare_router.policies import QueueDoc
    from socialcare_router.settings import RouterSettings
    from socialcare_text.templates import variables_of

    content = demo.load_demo()
    for body in content["saved_replies"].values():
        SavedReplyDoc.model_validate(body)
    for body in content["queues"].values():
        QueueDoc.model_validate(body)
    rules = [RoutingRule.model_validate(r) for r in content["routing_rules"]]
    assert {r.queue for r in rules} <= set(content["queues"])
    assert variables_of(content["saved_replies"]["late"]["text"]) == [
        "customer_name", "order_number"]
    # The demo's agents are the router's development users, so the queues name real agents.
    dev_users = {u.id: u.name for u in RouterSettings.model_fields["inbox_users"].default.values()}
    assert {a["id"]: a["name"] for a in content["agents"]}.items() <= dev_users.items()


def test_agents_sign_with_their_initials_unless_configured_otherwise() -> None:
    content = demo.load_demo()
    assert json.loads(demo.agent_initials_env({}, content)) == {"agent-jj": "JJ", "sup-ak": "AK"}
    explicit = {"SOCIALCARE_AGENT_INITIALS": '{"agent-jj": "J"}'}
    assert json.loads(demo.agent_initials_env(explicit, content))["agent-jj"] == "J"
    users = {"SOCIALCARE_INBOX_USERS": json.dumps(
        {"k": {"id": "a-1", "name": "ana maría lópez", "role": "agent"}})}
    assert json.loads(demo.agent_initials_env(users, content)) == {"a-1": "AML"}


def test_up_goes_on_when_the_inbox_refuses_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    from socialcare_local import cli

    def refused(url: str) -> demo.SeedReport:
        raise RuntimeError("demo desk: GET /v1/routing-rules answered 401: unknown key")
    monkeypatch.setattr(demo, "seed_demo", refused)
    assert cli._seed_demo() is None
    assert cli.parser().parse_args(["up", "--no-demo"]).no_demo
