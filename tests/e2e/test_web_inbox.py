"""The web inbox in headless Chromium against the running stack, as agents and a supervisor.

A message posted to ingest appears in two agents' lists with its deadline counting down;
one agent claims it by keyboard and the other's page shows the claim at once; the reply
goes out as a saved reply (moved to a direct message because of personal data), shows as
sent, and is in the sandbox gateway's record; the supervisor's report changes live.
Screenshots of the main views are saved to tests/artifacts/screenshots/.
"""

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Page, expect

from socialcare_local.infra import Endpoints
from tests.e2e.browser import TABLET, chromium, new_page, screenshot
from tests.e2e.stack import Stack, eventually, running_stack
from tests.e2e.test_pipeline import sandbox_records

pytestmark = pytest.mark.e2e
KEYS = {"agent": "dev-agent-key", "agent2": "dev-agent-2-key", "supervisor": "dev-supervisor-key"}
MAIN_TEXT = "@acmeshop where is my order? It has been 2 weeks. Email me at dana@example.com"
OTHERS = [
    ("facebook", "comment", "Sam T", "The blender I bought last week stopped working, what now?"),
    ("instagram", "comment", "Lou B", "Love the new store layout, thanks team!"),
    ("api", "direct_message", "Kim P", "Can I pay by invoice for a business order?"),
]
# A brand whose SLA gives one minute, so its conversation is at risk as soon as it arrives.
FAST_BRAND = "acmeoutlet"
FAST_SLA = {"weekly": {}, "after_hours_minutes": 1, "ceiling_minutes": 1}
LISTENING = {"brand_account": "acmeshop", "brand_names": ["Acme Shop"], "misspellings": ["acmee"]}
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map((el) => el.id || el.name || el.outerHTML.slice(0, 60))"""
# WCAG 2 relative luminance and contrast: 4.5:1, or 3:1 for large text; disabled controls
# and invisible elements are exempt, as WCAG says.
LOW_CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (el) => { for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const hidden = (el) => { for (let e = el; e; e = e.parentElement) {
    if (getComputedStyle(e).opacity === '0') return true; } return el.offsetParent === null; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.disabled || hidden(el)) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(behind(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) bad.push(`${el.tagName}.${el.className}: ${ratio.toFixed(2)}`);
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def stack(infra: Endpoints, mongo_url: str) -> Iterator[Stack]:
    with running_stack(infra, mongo_url, SOCIALCARE_ROUTING_REFRESH_S="0.5") as stack:
        yield stack


def ingest(stack: Stack, message_id: str, text: str, platform: str = "x",
           channel: str = "mention", name: str = "Dana R", brand: str = "acmeshop") -> None:
    handle = name.lower().replace(" ", "_")
    response = httpx.post(
        f"http://127.0.0.1:{stack.ingest_port}/v1/messages",
        headers={"X-API-Key": "dev-ingest-key"}, timeout=10, json={
            "platform": platform, "channel": channel, "brand_account": brand,
            "platform_message_id": message_id, "text": text,
            "author": {"id": f"cust-{handle}", "handle": handle, "display_name": name},
            "created_at": datetime.now(UTC).isoformat()})
    assert response.status_code == 202, response.text


def sign_in(page: Page, role: str) -> None:
    page.goto("/inbox/")
    page.get_by_label("API key").fill(KEYS[role])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.locator("#live-state")).to_have_text("live")


def assert_labelled(page: Page) -> None:
    """Every visible form control has an accessible name (a label or aria-label)."""
    assert page.evaluate(UNLABELLED) == []


def assert_contrast(page: Page) -> None:
    """Every visible text meets WCAG AA contrast against what is behind it."""
    assert page.evaluate(LOW_CONTRAST) == []


def show_queue(page: Page, queue: str = "general") -> None:
    page.get_by_label("View").select_option(f"queue:{queue}")


def row_of(page: Page, text: str):  # noqa: ANN201 - a Playwright locator
    return page.locator("#conversation-list .row", has_text=text)


def test_sign_in_page_is_labelled_and_in_focus_order(stack: Stack) -> None:
    with chromium() as browser:
        page = new_page(browser, f"http://127.0.0.1:{stack.inbox_port}")
        page.goto("/inbox/")
        screenshot(page, "sign-in")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_label("API key")).to_be_focused()
        page.keyboard.type("not-a-key")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Sign in")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("alert").first).to_have_text("That key is not known.")
        assert "not-a-key" not in page.url


def test_agents_and_a_supervisor_work_a_message_through_the_page(stack: Stack) -> None:
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    with chromium() as browser:
        supervisor = new_page(browser, inbox)
        sign_in(supervisor, "supervisor")
        # The supervisor adds the saved reply through the management page.
        supervisor.get_by_role("link", name="Manage").click()
        supervisor.locator("#sr-name").fill("late")
        supervisor.locator("#sr-title").fill("Late order")
        supervisor.locator("#sr-text").fill(
            "Sorry {customer_name}, we are checking order {order_number} now {agent_initials}")
        supervisor.get_by_role("button", name="Save saved reply").click()
        expect(supervisor.locator("#manage-saved tbody")).to_contain_text("Late order")
        supervisor.locator("#sla-key").fill(FAST_BRAND)
        supervisor.locator("#sla-json").fill(json.dumps(FAST_SLA))
        supervisor.locator("#manage-sla").get_by_role("button", name="Save", exact=True).click()
        expect(supervisor.locator("#manage-sla")).to_contain_text(FAST_BRAND)
        # Listening keywords go through the inbox to the ingest service, which owns them.
        supervisor.locator("#listening-key").fill("acme")
        supervisor.locator("#listening-json").fill(json.dumps(LISTENING))
        supervisor.locator("#manage-listening").get_by_role("button", name="Save",
                                                            exact=True).click()
        expect(supervisor.locator("#listening-about")).to_contain_text("acmee")
        stored = httpx.get(f"http://127.0.0.1:{stack.ingest_port}/v1/listening/rules/acme",
                           headers={"X-API-Key": "dev-ingest-admin-key"})
        assert stored.status_code == 200 and stored.json()["rules"]["misspellings"] == ["acmee"]
        assert_labelled(supervisor)
        assert_contrast(supervisor)
        screenshot(supervisor, "manage", full_page=True)
        supervisor.get_by_role("link", name="Supervisor").click()
        conversations = supervisor.locator("#figure-conversations")
        expect(conversations).to_have_text(re.compile(r"^\d+$"))
        before = int(conversations.inner_text())

        agent, agent2 = new_page(browser, inbox), new_page(browser, inbox)
        sign_in(agent, "agent")
        sign_in(agent2, "agent2")
        expect(agent.locator("#who-name")).to_have_text("Jamie Jones")
        expect(agent.locator("#who-role")).to_have_text("agent")
        expect(agent.get_by_role("link", name="Supervisor")).to_be_hidden()
        for page in (agent, agent2):
            show_queue(page)

        ingest(stack, "web-1", MAIN_TEXT)
        for i, (platform, channel, name, text) in enumerate(OTHERS):
            ingest(stack, f"web-{platform}-{i}", text, platform, channel, name,
                   FAST_BRAND if platform == "instagram" else "acmeshop")

        # The message appears live in both lists, with a deadline that counts down.
        row = row_of(agent, "where is my order")
        expect(row).to_be_visible()
        expect(row_of(agent2, "where is my order")).to_be_visible()
        expect(row).to_contain_text("Dana R")
        expect(row).to_contain_text("X")
        due = row.locator(".due")
        expect(due).to_have_text(re.compile(r"^due in (\d+:)?\d\d?:\d\d$"))
        expect(due).to_have_attribute("data-state", "ok")
        first = due.inner_text()
        expect(due).not_to_have_text(first)  # a second later it reads less
        expect(agent.locator("#conversation-list .row")).to_have_count(4)
        expect(row_of(agent, "store layout").locator(".due")).to_have_attribute(
            "data-state", "at-risk")
        # Past its deadline a countdown turns red (the page's own module, in the browser).
        assert agent.evaluate("""async () => (await import('/inbox/js/format.js'))
            .deadline(new Date(Date.now() - 90e3).toISOString(), '', 'none')""") == {
            "text": "1:30 overdue", "state": "breached"}

        agent2_row = row_of(agent2, "where is my order")
        agent2_row.click()
        expect(agent2.get_by_role("button", name="Claim (c)")).to_be_visible()

        row.click()
        expect(agent.locator("#conversation-title")).to_have_text("Dana R on X")
        assert "dana" not in agent.url.lower() and "#/inbox/" in agent.url  # only the id
        expect(agent.locator(".reasons").first).to_contain_text("Private data")
        screenshot(agent, "inbox-list")
        agent.locator("#conversation").focus()
        agent.keyboard.press("c")
        expect(agent.locator("#assignment")).to_have_text("Assigned to you")
        # The other agent's open page shows the claim without a reload.
        expect(agent2.locator("#assignment")).to_have_text("Claimed by agent-jj")
        expect(agent2.get_by_role("button", name="Claim (c)")).to_have_count(0)
        expect(agent2_row).to_contain_text("assigned: agent-jj")

        agent.get_by_label("Saved reply").select_option("late")
        agent.get_by_label("order number").fill("A-77")
        preview = agent.locator("#reply-preview")
        expect(preview).to_contain_text("Sorry Dana R, we are checking order A-77 now ^JJ")
        count = agent.locator("#reply-count")
        expect(count).to_have_text(re.compile(r"^\d+ / 280 \(as X counts"))
        warning = agent.get_by_role("alert").filter(has_text="personal data")
        expect(warning).to_be_visible()
        assert_labelled(agent)
        assert_contrast(agent)
        warning.scroll_into_view_if_needed()
        screenshot(agent, "conversation-composer")
        agent.get_by_role("button", name="Switch to direct message").click()
        expect(agent.get_by_label("Direct message")).to_be_checked()
        expect(count).to_have_text(re.compile(r"^\d+ / 10000"))
        agent.get_by_role("button", name="Send reply").click()

        sent = agent.locator(".replies .reply").first
        expect(sent.locator(".state")).to_have_text("sent")
        expect(sent).to_contain_text("direct message")
        records = eventually(lambda: [r for r in sandbox_records(stack) if "A-77" in r.text],
                             "the reply in the sandbox gateway")
        assert len(records) == 1
        assert records[0].kind == "direct_message"
        assert records[0].text.startswith("Sorry Dana R, we are checking order A-77 now ^JJ")
        expect(due).to_have_text("answered")
        expect(agent2.locator(".replies .reply .state").first).to_have_text("sent")

        # The supervisor's report moved without a reload.
        expect(conversations).to_have_text(str(before + 4))
        expect(supervisor.locator("#figure-1h")).to_have_text("25%")
        expect(supervisor.locator("#chart-first-response")).to_contain_text("under 15 min")
        assert_labelled(supervisor)
        assert_contrast(supervisor)
        screenshot(supervisor, "supervisor")
        with supervisor.expect_download() as download:
            supervisor.get_by_role("button", name="Download CSV").click()
        csv_text = download.value.path().read_text()
        assert csv_text.startswith("section,key,metric,value")
        assert f"overall,,conversations,{before + 4}" in csv_text

        agent.locator("#conversation").focus()
        agent.keyboard.press("e")
        expect(agent.locator(".status")).to_have_text("resolved")

        # A supervisor hands the Facebook conversation to the second agent.
        supervisor.get_by_role("link", name="Inbox").click()
        show_queue(supervisor)
        row_of(supervisor, "blender").click()
        supervisor.get_by_label("Transfer to agent").select_option(label="Sam Lee")
        supervisor.get_by_role("button", name="Transfer", exact=True).click()
        expect(supervisor.locator("#assignment")).to_have_text("Claimed by agent-sl")

        tablet = new_page(browser, inbox, TABLET)
        sign_in(tablet, "agent2")
        show_queue(tablet)
        row_of(tablet, "blender").click()
        expect(tablet.locator("#conversation-title")).to_have_text("Sam T on Facebook")
        expect(tablet.locator("#assignment")).to_have_text("Assigned to you")
        box = tablet.locator("#conversation").bounding_box()
        assert box is not None and box["x"] + box["width"] <= TABLET["width"]
        screenshot(tablet, "inbox-tablet")
        tablet.get_by_label("Search").fill("blender")
        expect(tablet.locator("#conversation-list .row")).to_have_count(1)
        assert "blender" not in tablet.url  # search stays in the page

        # An agent who asks for the supervisor's pages gets the inbox; the API says 403.
        tablet.goto("/inbox/#/manage")
        expect(tablet.locator("#inbox-view")).to_be_visible()
        expect(tablet.locator("#manage-view")).to_be_hidden()
        assert httpx.get(f"{inbox}/v1/agents", headers={"X-API-Key": KEYS["agent2"]}
                         ).status_code == 403
