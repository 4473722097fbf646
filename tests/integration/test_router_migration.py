"""Conversations stored before the Conversation aggregate (a status, no state, version or
due_at) keep working: agents act on them, and `migrate` brings them to the new shape."""

from datetime import timedelta

import pytest

from socialcare_router.adapters.store import Store
from socialcare_router.domain.permissions import Actor
from socialcare_router.migration import migrate_conversations
from tests.integration.router_helpers import T0, add_agent, inbox, store  # noqa: F401

pytestmark = pytest.mark.integration


def old_document(cid: str, **fields: object) -> dict:
    """The shape the router stored before (the release before the aggregate)."""
    return {"_id": cid, "status": "open", "platform": "x", "brand_account": "acme",
            "customer_id": "u1", "customer": {"id": "u1"}, "channel": "mention",
            "queue": "general", "rule_id": None, "tags": [], "assignee": None,
            "language": "en", "sentiment": "negative", "intents": [], "private_data": False,
            "created_at": T0, "first_message_at": T0, "last_message_at": T0,
            "first_response_due_at": T0 + timedelta(hours=1),
            "resolution_due_at": T0 + timedelta(hours=24), "pause_while_waiting": True,
            "escalation": "none", "escalate_at": T0 + timedelta(minutes=45),
            "resolution_escalation": "none", "resolution_escalate_at": T0 + timedelta(hours=18),
            "message_keys": ["x:acme:m1"], "priority": 10, "updated_at": T0,
            "last_inbound_id": "m1", "last_inbound_trace": {}, **fields}


async def test_old_documents_are_worked_and_migrated(store: Store) -> None:  # noqa: F811
    await store.conversations.insert_many([
        old_document("c-open"), old_document("c-answered", first_response_at=T0),
        old_document("c-resolved", status="resolved", resolved_at=T0)])
    await add_agent(store, "a1")
    claimed = await inbox(store).claim(Actor("a1", "agent"), "c-open")
    assert (claimed.version, claimed.state, claimed.assignee) == (1, "assigned", "a1")
    assert await migrate_conversations(store) == 2
    states = {d["_id"]: (d["version"], d["state"], d["due_at"] is not None)
              async for d in store.conversations.find({})}
    assert states == {"c-open": (1, "assigned", True), "c-answered": (1, "answered", True),
                      "c-resolved": (1, "resolved", True)}
    assert await migrate_conversations(store) == 0
