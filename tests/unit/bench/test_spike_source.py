"""The spike's messages: valid for the ingest API, spread out, and partly follow-ups."""

from collections import Counter

import pytest

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
