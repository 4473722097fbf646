"""Arbitrary payloads never crash an adapter: they give messages or a clear rejection."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.ingest.tests.unit.payloads import (
    BRAND_X_ID,
    IG_ID,
    PAGE_ID,
    fb_comment,
    ig_comment,
    messaging,
    x_dm,
    x_tweet,
    x_tweets,
)
from socialcare_contracts.messages import NormalizedMessage
from socialcare_ingest.adapters import Rejected, meta, x

pytestmark = pytest.mark.unit

KEYS = st.sampled_from(["object", "entry", "id", "time", "changes", "field", "value", "from",
                        "item", "verb", "post_id", "comment_id", "message", "created_time",
                        "messaging", "sender", "mid", "text", "timestamp", "for_user_id",
                        "tweet_create_events", "direct_message_events", "users", "user",
                        "id_str", "created_at", "type", "message_create", "sender_id",
                        "message_data", "data", "includes", "author_id", "media",
                        "attachments", "payload", "url", "is_echo"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text(max_size=30) | st.sampled_from(["page", "instagram", "feed", "comment",
                                                    "add", "comments", "mentions", PAGE_ID,
                                                    IG_ID, BRAND_X_ID, "message_create",
                                                    "Mon Nov 23 10:00:00 +0000 2026"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=6),
                    max_leaves=40)


def mutate(payload: Any, data: st.DataObject) -> Any:
    """Replaces one nested value of a realistic payload with an arbitrary one."""
    if isinstance(payload, dict) and payload and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(payload)))
        return payload | {key: mutate(payload[key], data)}
    if isinstance(payload, list) and payload and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(payload) - 1))
        return payload[:i] + [mutate(payload[i], data)] + payload[i + 1:]
    return data.draw(JSON)


def check(run: Any, payload: Any) -> None:
    try:
        result = run(payload)
    except Rejected as exc:
        assert str(exc)
        return
    assert isinstance(result, list)
    assert all(isinstance(m, NormalizedMessage) for m in result)


X_BRANDS = {BRAND_X_ID: "acmeshop"}
META_BRANDS = {PAGE_ID: "acmeshop", IG_ID: "acmeshop"}
X_SAMPLES = [x_tweets(x_tweet("1", "hi", reply_to="2")), x_dm("d1", "42", "hi")]
META_SAMPLES = [fb_comment("1", "hi"), ig_comment("c", "hi"),
                messaging("instagram", IG_ID, "m1", "hi")]


@settings(max_examples=300, deadline=None)
@given(payload=JSON)
def test_arbitrary_json_never_crashes(payload: Any) -> None:
    check(lambda p: x.account_activity(p, X_BRANDS), payload)
    check(lambda p: meta.webhook(p, META_BRANDS), payload)
    check(lambda p: x.search_page(p, "acmeshop"), payload)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), which=st.integers(0, 4))
def test_mutated_real_payloads_never_crash(data: st.DataObject, which: int) -> None:
    if which < len(X_SAMPLES):
        check(lambda p: x.account_activity(p, X_BRANDS), mutate(X_SAMPLES[which], data))
    else:
        check(lambda p: meta.webhook(p, META_BRANDS), mutate(META_SAMPLES[which - 2], data))
