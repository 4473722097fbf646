"""The spike's messages: valid for the ingest API, spread out, and partly follow-ups."""

from collections import Counter

import pytest

from bench.spike.burst import WORDINGS, is_burst
from bench.spike.source import MessageSource, load_templates
from socialcare_contracts.messages import NormalizedMessage

pytestmark = pytest.mark.unit


def test_without_twcs_the_demo_set_gives_every_platform_and_several_languages() -> None:
    templates, origin = load_templates(twcs=None)
    source = MessageSource("r1", templates, follow_up_share=0.3)
    messages = [source.message("2026-12-01T10:00:00Z") for _ in range(3000)]

    assert "demo set" in origin
    for body in messages:
        NormalizedMessage.model_validate(body)  # what ingest would accept
    assert len({m["platform_message_id"] for m in messages}) == 3000
    assert {"x", "facebook", "instagram"} <= {m["platform"] for m in messages}
    assert len({m.get("language_hint") for m in messages} - {None}) >= 5
    follow_ups = [m for m in messages if "in_reply_to_id" in m]
    assert 0.25 < len(follow_ups) / len(messages) < 0.35


def test_a_follow_up_replies_to_the_same_customers_previous_message() -> None:
    templates, _ = load_templates(twcs=None)
    source = MessageSource("r2", templates, follow_up_share=0.5)
    messages = [source.message("2026-12-01T10:00:00Z") for _ in range(500)]
    last_by_author: dict[str, dict] = {}
    for body in messages:
        previous = last_by_author.get(body["author"]["id"])
        if "in_reply_to_id" in body:
            assert previous is not None
            assert body["in_reply_to_id"] == previous["platform_message_id"]
            assert body["platform"] == previous["platform"]
        last_by_author[body["author"]["id"]] = body
    assert max(Counter(m["author"]["id"] for m in messages).values()) > 2


def test_the_same_seed_gives_the_same_traffic() -> None:
    templates, _ = load_templates(twcs=None)
    a, b = MessageSource("r3", templates), MessageSource("r3", templates)
    assert [a.message("t") for _ in range(200)] == [b.message("t") for _ in range(200)]


def test_a_burst_share_asks_one_question_from_new_customers_marked_as_the_burst() -> None:
    templates, _ = load_templates(twcs=None)
    source = MessageSource("r4", templates, follow_up_share=0.5)
    before = [source.message("2026-12-01T10:00:00Z") for _ in range(200)]
    spike = [source.message(f"2026-12-01T10:01:{i % 60:02d}Z", burst_share=0.5)
             for i in range(2000)]
    burst = [m for m in spike if is_burst(m["platform_message_id"])]

    assert source.burst_started == next(m["created_at"] for m in spike if m in burst)
    assert not any(is_burst(m["platform_message_id"]) for m in before)
    assert 0.45 < len(burst) / len(spike) < 0.55 and source.burst_sent == len(burst)
    for body in burst:
        NormalizedMessage.model_validate(body)
        assert "in_reply_to_id" not in body
        assert any(wording in body["text"] for wording in WORDINGS)
    assert len({m["author"]["id"] for m in burst}) == len(burst)
    others = {m["author"]["id"] for m in before + spike if m not in burst}
    assert others.isdisjoint(m["author"]["id"] for m in burst)
    assert len({m["text"] for m in burst}) == len(WORDINGS)
