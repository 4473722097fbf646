"""deploy/local/sample/messages.jsonl: every line a valid NormalizedMessage, and a useful demo."""

from collections import Counter
from pathlib import Path

import pytest

from socialcare_classifier.domain.classify import classify
from socialcare_contracts.messages import NormalizedMessage

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).resolve().parents[4] / "deploy" / "local" / "sample" / "messages.jsonl"


@pytest.fixture(scope="module")
def messages() -> list[NormalizedMessage]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [NormalizedMessage.model_validate_json(line) for line in lines]


def test_sixty_valid_messages_with_unique_ids(messages: list[NormalizedMessage]) -> None:
    assert len(messages) == 60
    assert len({(m.platform, m.platform_message_id) for m in messages}) == 60


def test_covers_platforms_channels_and_a_day(messages: list[NormalizedMessage]) -> None:
    assert {m.platform.value for m in messages} == {"x", "facebook", "instagram", "api"}
    assert {m.channel.value for m in messages} == {"mention", "reply", "comment", "direct_message"}
    assert {m.brand_account for m in messages} == {"acmeshop", "acme_support"}
    times = sorted(m.created_at for m in messages)
    assert (times[-1] - times[0]).total_seconds() < 24 * 3600
    assert any(m.author.verified for m in messages)
    assert any((m.author.followers or 0) >= 1_000_000 for m in messages)


def test_replies_point_at_earlier_messages_of_the_same_thread(
    messages: list[NormalizedMessage],
) -> None:
    by_id = {m.platform_message_id: m for m in messages}
    replies = [m for m in messages if m.in_reply_to_id]
    assert len(replies) >= 5
    for reply in replies:
        parent = by_id[reply.in_reply_to_id]
        assert parent.created_at < reply.created_at
        assert (parent.thread_id or parent.platform_message_id) == reply.thread_id
    dm_threads = Counter(m.thread_id for m in messages if m.channel.value == "direct_message")
    assert max(dm_threads.values()) >= 2


def test_demo_shows_what_the_classifier_does(messages: list[NormalizedMessage]) -> None:
    results = [classify(m) for m in messages]
    assert len({r.language for r in results}) >= 8
    assert sum("outage" in r.intents for r in results) >= 8
    assert any("praise" in r.intents for r in results)
    assert any(r.private_data for r in results)
