"""The README's curl examples, run as written against a started stack: each answers 2xx.

The stack is started as the e2e tests start it and given the demo desk ``socialcare up``
seeds; the examples' ports are rewritten to the stack's own. Every ``curl`` goes through a
shell function that records its HTTP status, so a refused request fails the test by name.
"""

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from socialcare_local import demo
from socialcare_local.infra import Endpoints
from tests.e2e.stack import Stack, eventually, running_stack

pytestmark = pytest.mark.e2e
README = Path(__file__).resolve().parents[2] / "README.md"
AGENT = {"X-API-Key": "dev-agent-key"}
REFRESH_S = 0.5
# Each curl's status goes to $STATUSES; the command fails unless it is 2xx.
RECORDING_CURL = r"""set -euo pipefail
curl() {
  local out code
  out=$(command curl -sS -w '\n%{http_code}' "$@")
  code=${out##*$'\n'}
  printf '%s %s\n' "$code" "$*" | tr -s '\n' ' ' >> "$STATUSES"; echo >> "$STATUSES"
  printf '%s\n' "${out%$'\n'*}"
  [[ $code == 2?? ]]
}
"""


def readme_examples() -> list[str]:
    """The README's bash blocks that call the ingest or inbox API, in README order."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if re.search(r"\bcurl\b.*http://127\.0\.0\.1:808[12]", b, re.S)]


@pytest.fixture(scope="module")
def stack(infra: Endpoints, mongo_url: str) -> Iterator[Stack]:
    initials = demo.agent_initials_env({}, demo.load_demo())  # as `socialcare up` gives them
    with running_stack(infra, mongo_url, SOCIALCARE_ROUTING_REFRESH_S=str(REFRESH_S),
                       SOCIALCARE_AGENT_INITIALS=initials) as stack:
        yield stack


def run_example(block: str, stack: Stack, statuses: Path) -> str:
    script = RECORDING_CURL + block.replace("127.0.0.1:8081", f"127.0.0.1:{stack.ingest_port}") \
        .replace("127.0.0.1:8082", f"127.0.0.1:{stack.inbox_port}")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "STATUSES": str(statuses)})
    assert done.returncode == 0, (block, statuses.read_text(), done.stdout, done.stderr)
    return done.stdout


def test_every_readme_curl_example_answers_2xx_on_the_demo_desk(stack: Stack,
                                                                tmp_path: Path) -> None:
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    assert "saved reply late" in demo.seed_demo(inbox).created
    time.sleep(REFRESH_S)  # workers read new rules on this interval and give no sign of it
    examples = readme_examples()
    assert len(examples) >= 3, "the README's inbox and ingest examples were not found"
    statuses, outputs = tmp_path / "statuses", []
    for block in examples:
        outputs.append(run_example(block, stack, statuses))
        if "/v1/messages" in block:  # the next example works the conversation it started
            eventually(lambda: httpx.get(f"{inbox}/v1/me/conversations", headers=AGENT)
                       .json()["items"], "the customer's message routed to Jamie")
    calls = statuses.read_text().splitlines()
    assert len(calls) == sum(len(re.findall(r"\bcurl\b", b)) for b in examples)
    assert all(line.startswith("2") for line in calls), calls
    # The saved reply as posted: the customer's name filled in, Jamie's signature added.
    preview = next(json.loads(line) for out in outputs for line in out.splitlines()
                   if line.startswith('{"text"'))
    assert preview["text"].startswith("Sorry Sam Kay, order A-77 is running late")
    assert preview["text"].endswith(" ^JJ") and preview["missing_variables"] == []


def test_a_placeholder_left_in_free_text_is_flagged_not_posted(stack: Stack) -> None:
    inbox = f"http://127.0.0.1:{stack.inbox_port}"
    message = {"platform": "x", "channel": "mention", "brand_account": "acmeshop",
               "platform_message_id": "placeholder-1", "author": {"id": "p1", "handle": "kim"},
               "text": "where is my order?", "created_at": "2026-11-23T10:00:00Z"}
    assert httpx.post(f"http://127.0.0.1:{stack.ingest_port}/v1/messages", json=message,
                      headers={"X-API-Key": "dev-ingest-key"}).status_code == 202

    def kims() -> str | None:
        for queue in ("general", "care"):  # as the demo rules decide
            items = httpx.get(f"{inbox}/v1/queues/{queue}/conversations", headers=AGENT)
            for item in items.json()["items"]:
                if item["customer"].get("handle") == "kim":
                    return str(item["id"])
        return None

    cid = eventually(kims, "kim's conversation")
    preview = httpx.post(f"{inbox}/v1/conversations/{cid}/replies/preview",
                         headers=AGENT, json={"text": "Hi {customer_name}, {order_numbr}?"})
    assert preview.status_code == 200
    # A variable nothing fills (a typo here) is named, never posted as written.
    assert "{order_numbr}" in (preview.json()["problem"] or "")
    # Posted anyway, it is refused (422) or fails with the reason; the customer never sees it.
    posted = httpx.post(f"{inbox}/v1/conversations/{cid}/replies", headers=AGENT,
                        json={"text": "Hi {customer_name}, {order_numbr}?"})
    if posted.status_code != 422:
        assert posted.status_code == 202

        def failed() -> dict | None:
            replies = httpx.get(f"{inbox}/v1/conversations/{cid}", headers=AGENT).json()["replies"]
            assert all(r["status"] != "sent" for r in replies), replies
            return next((r for r in replies if r["status"] == "failed"), None)

        assert "{order_numbr}" in eventually(failed, "the reply failed")["reason"]
