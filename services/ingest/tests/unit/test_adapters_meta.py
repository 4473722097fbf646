from datetime import UTC, datetime

import pytest

from services.ingest.tests.unit.payloads import (
    IG_ID,
    PAGE_ID,
    fb_comment,
    fb_post,
    ig_comment,
    ig_mention,
    messaging,
)
from socialcare_contracts.messages import ChannelKind, Platform
from socialcare_ingest.adapters import Rejected
from socialcare_ingest.adapters.meta import MentionDetails, MentionRef, mention_refs, webhook
from socialcare_ingest.instagram_mentions import details_from

pytestmark = pytest.mark.unit
BRANDS = {PAGE_ID: "acmeshop", IG_ID: "acme_ig"}
AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


def test_page_feed_comment_and_post() -> None:
    [comment] = webhook(fb_comment("1", "broken on arrival"), BRANDS)
    assert (comment.platform, comment.channel, comment.brand_account) == \
        (Platform.FACEBOOK, ChannelKind.COMMENT, "acmeshop")
    assert comment.platform_message_id == "555_1" and comment.thread_id == f"{PAGE_ID}_555"
    assert comment.author.display_name == "Dana R" and comment.created_at == AT
    [post] = webhook(fb_post("9", "anyone else waiting?"), BRANDS)
    assert post.channel is ChannelKind.MENTION and post.platform_message_id == f"{PAGE_ID}_9"


def test_page_own_comments_edits_and_unknown_fields_are_skipped() -> None:
    assert webhook(fb_comment("1", "we're on it", sender=PAGE_ID), BRANDS) == []
    edited = fb_comment("1", "x")
    edited["entry"][0]["changes"][0]["value"]["verb"] = "edited"
    assert webhook(edited, BRANDS) == []
    other = fb_comment("1", "x")
    other["entry"][0]["changes"][0]["field"] = "ratings"
    assert webhook(other, BRANDS) == []
    assert webhook(fb_comment("1", "x") | {"entry": [{"id": "999", "changes": []}]}, BRANDS) == []


@pytest.mark.parametrize("obj, account, platform", [
    ("page", PAGE_ID, Platform.FACEBOOK), ("instagram", IG_ID, Platform.INSTAGRAM)])
def test_messenger_and_instagram_direct_messages(obj: str, account: str,
                                                 platform: Platform) -> None:
    [dm] = webhook(messaging(obj, account, "m_1", "hello"), BRANDS)
    assert (dm.platform, dm.channel, dm.author.id, dm.text) == \
        (platform, ChannelKind.DIRECT_MESSAGE, "psid-9", "hello")
    assert dm.created_at == AT
    assert webhook(messaging(obj, account, "m_2", "reply", echo=True), BRANDS) == []


def test_instagram_comments_and_mentions() -> None:
    [comment] = webhook(ig_comment("c1", "love it"), BRANDS)
    assert (comment.platform, comment.channel, comment.author.handle, comment.thread_id) == \
        (Platform.INSTAGRAM, ChannelKind.COMMENT, "dana.r", "m1")
    [mention] = webhook(ig_mention("c2"), BRANDS)
    assert (mention.channel, mention.platform_message_id, mention.thread_id) == \
        (ChannelKind.MENTION, "c2", "m2")


@pytest.mark.parametrize("payload, words", [
    ({"object": "user", "entry": []}, "unknown object"),
    ({"object": "page", "entry": {}}, "entry must be an array"),
    ({"object": "page", "entry": [{"id": PAGE_ID, "changes": [{"field": "feed", "value": {
        "item": "comment", "verb": "add", "from": {"id": "1"}, "post_id": "p",
        "created_time": 1}}]}]}, "comment_id"),
    ({"object": "page", "entry": [{"id": PAGE_ID, "messaging": [{"sender": {"id": "1"},
                                                                 "message": {"mid": "m"}}]}]},
     "timestamp"),
])
def test_bad_payloads_are_rejected_with_the_place(payload: object, words: str) -> None:
    with pytest.raises(Rejected) as info:
        webhook(payload, BRANDS)
    assert words in str(info.value)


def test_instagram_mentions_are_listed_for_lookup_and_filled_from_its_details() -> None:
    payload = ig_mention("c2")
    payload["entry"][0]["changes"].append({"field": "mentions", "value": {"media_id": 77}})
    refs = mention_refs(payload)
    assert refs == [MentionRef(IG_ID, "m2", "c2"), MentionRef(IG_ID, "77", None)]
    assert mention_refs({"object": "page", "entry": [{"id": PAGE_ID}]}) == []
    assert mention_refs({"object": "instagram", "entry": "junk"}) == []
    details = {refs[0]: MentionDetails("@acme broken zip", "1788", "dana.r", AT)}
    looked_up, ids_only = webhook(payload, BRANDS, details)
    assert (looked_up.text, looked_up.author.id, looked_up.author.handle) == \
        ("@acme broken zip", "1788", "dana.r")
    assert (ids_only.text, ids_only.author.id, ids_only.platform_message_id) == \
        ("", "unknown", "77")


def test_graph_answers_become_mention_details() -> None:
    comment = MentionRef(IG_ID, "m2", "c2")
    found = details_from(comment, {"mentioned_comment": {
        "text": "hi @acme", "from": {"id": "9", "username": "kim"},
        "timestamp": "2026-11-23T10:00:00+0000"}})
    assert found == MentionDetails("hi @acme", "9", "kim", datetime(2026, 11, 23, 10, tzinfo=UTC))
    caption = details_from(MentionRef(IG_ID, "m2", None), {"mentioned_media": {
        "caption": "new @acme shoes", "username": "lee", "timestamp": "yesterday"}})
    assert caption == MentionDetails("new @acme shoes", "lee", "lee", None)
    assert details_from(comment, {"mentioned_media": {"caption": "x", "username": "a"}}) is None
    assert details_from(comment, {"mentioned_comment": {"username": "a"}}) is None
    assert details_from(comment, ["not", "an", "object"]) is None
