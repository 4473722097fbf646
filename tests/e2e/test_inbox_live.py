"""The inbox as agents use it, every service a process: rules, live feed, claim, saved reply."""

import json
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from socialcare_local.infra import Endpoints
from tests.e2e.browser import chromium, new_page, screenshot
from tests.e2e.stack import Stack, running_stack
from tests.waiting import eventually

pytestmark = pytest.mark.e2e
AGENT = {"X-API-Key": "dev-agent-key"}
# How often the router worker looks for a new routing configuration version.
REFRESH_S = 0.5
SUPERVISOR = {"X-API-Key": "dev-supervisor-key"}


@pytest.fixture(scope="module")
def stack(infra: Endpoints, mongo_url: str) -> Iterator[Stack]:
    # Escalation at 5 % of the deadline, checked twice a second: a one-minute SLA is at risk
    # after 3 s. Other conversations (1 h deadlines) stay clear of it while the tests run.
    with running_stack(infra, mongo_url, SOCIALCARE_ROUTING_REFRESH_S=str(REFRESH_S),
                       SOCIALCARE_ESCALATION_CHECK_S="0.5",
                       SOCIALCARE_ESCALATION_SHARE="0.05") as stack:
        yield stack


def listen(url: str, events: "queue.Queue[dict[str, Any]]", stop: threading.Event,
           opened: threading.Event) -> None:
    with httpx.stream("GET", url, headers=AGENT, timeout=None) as response:
        assert response.status_code == 200
        opened.set()  # the API subscribes the client before it answers
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.put(json.loads(line[6:]))
            if stop.is_set():
                return


def live_view(url: str) -> tuple["queue.Queue[dict[str, Any]]", threading.Event]:
    """Events of a live view that is open (subscribed) when this returns, and its stop."""
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    stop, opened = threading.Event(), threading.Event()
    threading.Thread(target=listen, args=(url, events, stop, opened), daemon=True).start()
    assert opened.wait(30), "the live view did not open"
    return events, stop


def configuration_in_force(changed_at: float) -> None:
    """Returns once the worker reads a configuration changed at ``changed_at`` (monotonic).

    The worker looks for a new version at most every REFRESH_S, when a message comes in;
    it gives no sign of having looked, so the interval itself is what can be waited out.
    """
    time.sleep(max(0.0, changed_at + REFRESH_S - time.monotonic()))


def next_change(events: "queue.Queue[dict[str, Any]]", change: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        event = events.get(timeout=max(0.1, deadline - time.monotonic()))
        if event["change"] == change:
            return event
    raise AssertionError(f"no {change} event within 30 s")


def test_a_routed_message_reaches_a_live_view_and_an_agent_answers_it(stack: Stack) -> None:
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    rules = {"rules": [{"id": "orders", "queue": "orders", "tags": ["order"],
                        "when": {"brand_accounts": ["acmeshop"]}}]}
    assert httpx.put(f"{inbox}/v1/routing-rules", headers=SUPERVISOR, json=rules).status_code \
        == 200
    changed_at = time.monotonic()
    assert httpx.put(f"{inbox}/v1/saved-replies/late", headers=SUPERVISOR, json={
        "title": "Late order", "text": "Sorry {customer_name}, we are on order {order_number} "
                                       "{agent_initials}"}).status_code == 200
    events, stop = live_view(f"{inbox}/v1/live?queue=orders")
    configuration_in_force(changed_at)
    message = {"platform": "x", "channel": "mention", "brand_account": "acmeshop",
               "platform_message_id": "live-1", "author": {"id": "c1", "handle": "dana_r"},
               "text": "where is my order A-77?", "created_at": datetime.now(UTC).isoformat()}
    accepted = httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages",
                          headers={"X-API-Key": "dev-ingest-key"}, json=message)
    assert accepted.status_code == 202
    created = next_change(events, "created")
    assert created["queue"] == "orders"
    cid = created["conversation_id"]
    assert httpx.post(f"{inbox}/v1/conversations/{cid}/claim", headers=AGENT).status_code == 200
    assert next_change(events, "claimed")["conversation_id"] == cid
    reply = httpx.post(f"{inbox}/v1/conversations/{cid}/replies", headers=AGENT, json={
        "saved_reply": "late", "variables": {"order_number": "A-77"}})
    assert reply.status_code == 202
    sent = next_change(events, "reply_sent")
    assert sent["first_response_at"] is not None
    detail = httpx.get(f"{inbox}/v1/conversations/{cid}", headers=AGENT).json()
    assert detail["conversation"]["rule_id"] == "orders"
    assert detail["replies"][0]["text"] == "Sorry dana_r, we are on order A-77 ^JJ"
    stop.set()


def test_the_running_worker_raises_a_conversation_whose_deadline_is_near(stack: Stack) -> None:
    """The escalation timer runs in the worker (on the group's leader) and reaches live views."""
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    fast = {"weekly": {}, "after_hours_minutes": 1, "ceiling_minutes": 1}
    assert httpx.put(f"{inbox}/v1/sla-policies/fastbrand", headers=SUPERVISOR,
                     json=fast).status_code == 200
    changed_at = time.monotonic()
    events, stop = live_view(f"{inbox}/v1/live")
    configuration_in_force(changed_at)
    message = {"platform": "x", "channel": "mention", "brand_account": "fastbrand",
               "platform_message_id": "fast-1", "author": {"id": "c9", "handle": "lee_k"},
               "text": "my parcel is lost", "created_at": datetime.now(UTC).isoformat()}
    assert httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages",
                      headers={"X-API-Key": "dev-ingest-key"}, json=message).status_code == 202
    created = next_change(events, "created")
    at_risk = next_change(events, "at_risk")
    assert at_risk["conversation_id"] == created["conversation_id"]
    assert at_risk["priority"] > created["priority"]
    stop.set()


def test_an_agent_finds_a_message_from_the_header_search_and_opens_it(stack: Stack) -> None:
    """The page's search reaches the inbox process's index, fed from Kafka as messages land."""
    message = {"platform": "x", "channel": "mention", "brand_account": "acmeshop",
               "platform_message_id": "search-1", "author": {"id": "c7", "handle": "rio_m"},
               "text": "the espresso grinder squeaks", "created_at": datetime.now(UTC).isoformat()}
    assert httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages",
                      headers={"X-API-Key": "dev-ingest-key"}, json=message).status_code == 202
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    eventually(lambda: httpx.get(f"{inbox}/v1/search", params={"q": "squeaks"},
                                 headers=AGENT).json()["items"], "the message is searchable")
    with chromium() as browser:
        page = new_page(browser, inbox)
        page.goto("/inbox/")
        page.get_by_label("API key").fill(AGENT["X-API-Key"])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("searchbox", name="Search").fill("espres grind")
        found = page.locator("#conversation-list .row", has_text="squeaks")
        expect(found.locator("mark")).to_have_text(["espresso", "grinder"])
        expect(page.locator("#list-count")).to_have_text("1 conversation matches your search")
        screenshot(page, "inbox-search")
        found.click()
        expect(page.locator("#conversation .thread")).to_contain_text(
            "the espresso grinder squeaks")
        assert "espres" not in page.url  # the query stays in the page


def test_an_agent_corrects_a_messages_labels_from_the_keyboard(stack: Stack) -> None:
    """Focus a customer message, `s` `p`: its sentiment is corrected (a toast says so, the
    "why" panel shows the stage that decided it and the correction); `i` opens the intents
    picker. The supervisor sees both corrections and who made them."""
    message = {"platform": "x", "channel": "mention", "brand_account": "acmeshop",
               "platform_message_id": "label-1", "author": {"id": "c9", "handle": "kai_w"},
               "text": "the blender lid cracked on day two", "created_at":
               datetime.now(UTC).isoformat()}
    assert httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages",
                      headers={"X-API-Key": "dev-ingest-key"}, json=message).status_code == 202
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    found = eventually(lambda: httpx.get(f"{inbox}/v1/search", params={"q": "blender lid"},
                                         headers=AGENT).json()["items"], "the message is stored")
    cid = found[0]["id"]
    message_id = "x:acmeshop:label-1"
    with chromium() as browser:
        page = new_page(browser, inbox)
        page.goto("/inbox/")
        page.get_by_label("API key").fill(AGENT["X-API-Key"])
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#who-name")).to_have_text("Jamie Jones")
        page.evaluate(f"location.hash = '#/inbox/{cid}'")
        customer = page.locator(f'#conversation .message[data-message-id="{message_id}"]')
        expect(customer).to_contain_text("blender lid cracked")
        expect(customer.locator(".reasons")).to_contain_text("Decided by")
        customer.focus()
        page.keyboard.press("s")
        page.keyboard.press("p")
        expect(page.locator("#toast")).to_contain_text("Corrected: sentiment positive")
        customer = page.locator(f'#conversation .message[data-message-id="{message_id}"]')
        expect(customer.locator(".chip.corrected")).to_be_visible()
        expect(customer.locator(".reasons dd").last).to_contain_text(
            "sentiment positive (by agent-jj")
        expect(customer).to_be_focused()  # the next correction needs no click
        page.keyboard.press("i")
        expect(page.get_by_role("checkbox", name="product_defect")).to_be_checked()  # as classified
        page.get_by_role("checkbox", name="refund_return").check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#toast")).to_contain_text(
            "Corrected: intents product_defect, refund_return")
        screenshot(page, "label-correction")

        boss = new_page(browser, inbox)
        boss.goto("/inbox/")
        boss.get_by_label("API key").fill(SUPERVISOR["X-API-Key"])
        boss.get_by_role("button", name="Sign in").click()
        boss.get_by_role("link", name="Supervisor").click()
        panel = boss.locator("section.corrections")
        expect(panel.locator("tr", has_text="blender lid cracked")).to_contain_text(
            "sentiment positive")
        with boss.expect_download() as download:
            panel.get_by_role("button", name="Export CSV").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert exported.startswith("text,label,intents,language,brand")
        assert "the blender lid cracked on day two,positive" in exported
    listed = httpx.get(f"{inbox}/v1/corrections", headers=SUPERVISOR).json()
    mine = next(c for c in listed if c["message_id"] == message_id)
    assert mine["labels"] == {"sentiment": "positive",
                              "intents": ["product_defect", "refund_return"]}
    assert mine["corrected_by"] == "agent-jj" and mine["changes"] == 2
