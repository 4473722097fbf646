from datetime import UTC, datetime

import pytest

from services.ingest.tests.unit.payloads import BRAND_X_ID, x_dm, x_tweet, x_tweets
from socialcare_contracts.messages import ChannelKind, Platform
from socialcare_ingest.adapters import Rejected
from socialcare_ingest.adapters.x import account_activity, search_page

pytestmark = pytest.mark.unit
BRANDS = {BRAND_X_ID: "acmeshop"}


def test_mentions_replies_and_quotes_become_messages_with_author_details() -> None:
    payload = x_tweets(
        x_tweet("1", "@acmeshop my order is late"),
        x_tweet("2", "@acmeshop still nothing", reply_to="900"),
        x_tweet("3", "look at this @acmeshop", quoted_status_id_str="800", is_quote_status=True),
    )
    mention, reply, quote = account_activity(payload, BRANDS)
    assert (mention.platform, mention.channel, mention.brand_account) == \
        (Platform.X, ChannelKind.MENTION, "acmeshop")
    assert mention.author.id == "42" and mention.author.handle == "dana_r"
    assert mention.author.followers == 12
    assert mention.created_at == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert (reply.channel, reply.in_reply_to_id, reply.thread_id) == \
        (ChannelKind.REPLY, "900", "900")
    assert (quote.channel, quote.thread_id) == (ChannelKind.MENTION, "800")


def test_extended_text_and_media_are_kept() -> None:
    tweet = x_tweet("1", "short…", extended_tweet={"full_text": "the whole long text"},
                    entities={"media": [{"type": "photo", "media_url_https": "https://p/x.jpg"}]})
    [message] = account_activity(x_tweets(tweet), BRANDS)
    assert message.text == "the whole long text"
    assert message.attachments[0].url == "https://p/x.jpg"


def test_brand_own_tweets_and_other_accounts_are_ignored() -> None:
    own = x_tweet("5", "@dana_r sorry! ^JJ", author=BRAND_X_ID, handle="acmeshop")
    assert account_activity(x_tweets(own), BRANDS) == []
    assert account_activity(x_tweets(x_tweet("6", "hi"), for_user="999"), BRANDS) == []
    assert account_activity({"for_user_id": BRAND_X_ID, "favorite_events": [{}]}, BRANDS) == []


def test_direct_messages_take_the_author_from_the_users_block() -> None:
    [dm] = account_activity(x_dm("dm-1", "42", "my card number is..."), BRANDS)
    assert dm.channel is ChannelKind.DIRECT_MESSAGE and dm.platform_message_id == "dm-1"
    assert dm.author.id == "42" and dm.author.handle == "dana_r"
    assert dm.thread_id == "dm:42"
    assert account_activity(x_dm("dm-2", BRAND_X_ID, "agent reply"), BRANDS) == []


@pytest.mark.parametrize("payload, words", [
    ([], "body must be an object"),
    ({"for_user_id": BRAND_X_ID}, "no *_events"),
    ({"for_user_id": 1.5, "tweet_create_events": []}, "for_user_id"),
    (x_tweets({"id_str": "1"}), "tweet_create_events[0].user must be an object"),
    (x_tweets(x_tweet("1", "hi", created="yesterday")), "created_at is not a date"),
    ({"for_user_id": BRAND_X_ID, "tweet_create_events": "x"}, "must be an array"),
])
def test_bad_payloads_are_rejected_with_the_place(payload: object, words: str) -> None:
    with pytest.raises(Rejected) as info:
        account_activity(payload, BRANDS)
    assert words in str(info.value)


def test_search_page_uses_includes_users_and_skips_brand_authors() -> None:
    page = {"data": [
        {"id": "10", "text": "acme shop broke again", "author_id": "42",
         "created_at": "2026-11-23T10:00:00.000Z", "conversation_id": "10"},
        {"id": "11", "text": "@dana sorry", "author_id": BRAND_X_ID,
         "created_at": "2026-11-23T10:01:00.000Z",
         "referenced_tweets": [{"type": "replied_to", "id": "10"}]},
        {"id": "12", "text": "same", "author_id": "43", "created_at": "2026-11-23T10:02:00Z",
         "referenced_tweets": [{"type": "replied_to", "id": "10"}]}],
        "includes": {"users": [{"id": "42", "username": "dana_r", "name": "Dana",
                                "public_metrics": {"followers_count": 7}}]},
        "meta": {"newest_id": "12", "oldest_id": "10", "result_count": 3}}
    first, second = search_page(page, "acmeshop", frozenset({BRAND_X_ID}))
    assert first.author.handle == "dana_r" and first.author.followers == 7
    assert first.channel is ChannelKind.MENTION
    assert second.channel is ChannelKind.REPLY and second.in_reply_to_id == "10"
    assert search_page({"meta": {"result_count": 0}}, "acmeshop") == []
