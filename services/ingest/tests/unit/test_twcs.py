from datetime import UTC, datetime

import pytest

from socialcare_contracts.messages import ChannelKind
from socialcare_ingest.adapters import TWITTER_TIME_FORMAT, Rejected, twitter_time
from socialcare_ingest.adapters.twcs import thread_brands, twcs_message, tweet_id

pytestmark = pytest.mark.unit


def row(**values: str) -> dict[str, str]:
    base = {"tweet_id": "2", "author_id": "115712", "inbound": "True",
            "created_at": "Tue Oct 31 22:11:45 +0000 2017",
            "text": "@sprintcare and how do you propose we do that",
            "response_tweet_id": "", "in_response_to_tweet_id": "1.0"}
    return base | values


def test_customer_tweet_maps_to_a_reply_for_the_mentioned_brand() -> None:
    found = twcs_message(row(), {"sprintcare": "sprint"})
    m = found.message
    assert (m.brand_account, m.platform_message_id, m.in_reply_to_id, m.channel) == \
        ("sprint", "2", "1", ChannelKind.REPLY)
    assert m.author.id == "115712" and not m.from_brand
    assert m.created_at == datetime(2017, 10, 31, 22, 11, 45, tzinfo=UTC)
    assert found.key == "x:sprint:115712"


def test_brand_reply_is_from_brand_and_keyed_by_the_customer_it_answers() -> None:
    found = twcs_message(row(tweet_id="1", author_id="sprintcare", inbound="False",
                             text="@115712 Please send us a Private Message",
                             response_tweet_id="2,5", in_response_to_tweet_id="3.0"), {})
    assert found.message.from_brand and found.message.brand_account == "sprintcare"
    assert found.message.in_reply_to_id == "3"
    assert found.key == "x:sprintcare:115712"
    assert found.message.author.id == "sprintcare"


def test_first_tweet_of_a_thread_is_a_mention() -> None:
    assert twcs_message(row(in_response_to_tweet_id=""), {}).message.channel is ChannelKind.MENTION


@pytest.mark.parametrize("values, words", [
    ({"created_at": "31/10/2017"}, "created_at"),
    ({"inbound": "maybe"}, "inbound"),
    ({"tweet_id": "abc"}, "tweet_id"),
    ({"tweet_id": "3.5"}, "tweet_id"),
    ({"text": "no handle here"}, "brand @handle"),
    ({"author_id": " "}, "author_id"),
    ({"text": "@acme " + "x" * 10_001}, "text"),
    ({"text": "@acme caf\udcc3"}, "UTF-8"),
])
def test_broken_rows_say_why(values: dict[str, str], words: str) -> None:
    with pytest.raises(Rejected) as info:
        twcs_message(row(**values), {})
    assert words in str(info.value)


def test_rows_with_missing_or_extra_fields_are_rejected() -> None:
    with pytest.raises(Rejected, match="7 TWCS columns"):
        twcs_message({"tweet_id": "1", "author_id": "2"}, {})
    with pytest.raises(Rejected, match="7 TWCS columns"):
        twcs_message(row() | {None: ["extra"]}, {})  # type: ignore[dict-item]


@pytest.mark.parametrize("value, expected", [("3.0", "3"), ("42", "42"), ("", None), (" ", None)])
def test_tweet_ids_accept_float_strings(value: str, expected: str | None) -> None:
    assert tweet_id(value, "c") == expected


@pytest.mark.parametrize("value", ["Tue Oct 31 22:10:47 +0000 2017",
                                   "Wed Oct 10 20:19:24 +0530 2018",
                                   "Sun Mar 01 00:00:00 -0800 2020",
                                   "Sat Feb 29 23:59:59 +0000 2020"])
def test_twitter_time_agrees_with_strptime(value: str) -> None:
    parsed = twitter_time(value)
    assert parsed == datetime.strptime(value, TWITTER_TIME_FORMAT)
    assert parsed.utcoffset() == datetime.strptime(value, TWITTER_TIME_FORMAT).utcoffset()


@pytest.mark.parametrize("value", [
    "Mon Feb 30 10:00:00 +0000 2021", "Tue Oct 31 25:10:47 +0000 2017",
    "Tue Oct 31 22:+1:47 +0000 2017", "Tue Oct 31 22:10 +0000 2017",
    "Tue Oct 31 22:10:47 +00a0 2017", "2017-10-31T22:10:47Z", ""])
def test_twitter_time_refuses_what_strptime_refuses(value: str) -> None:
    with pytest.raises(ValueError):
        twitter_time(value)


def test_thread_replies_without_a_handle_take_the_brand_of_their_thread() -> None:
    rows = [
        row(tweet_id="1", text="@AppleSupport my phone is dead", in_response_to_tweet_id=""),
        row(tweet_id="2", author_id="AppleSupport", inbound="False",
            text="@115 sorry! which model?", in_response_to_tweet_id="1"),
        # Replies inside the thread: the brand is in X's reply metadata, not the text.
        row(tweet_id="3", text="an iPhone 8", in_response_to_tweet_id="2.0"),
        row(tweet_id="4", text="still nothing", in_response_to_tweet_id="3"),
        # The brand is named by its anonymised number: who answered tells the brand.
        row(tweet_id="5", text="@115713 hello?", response_tweet_id="6,7",
            in_response_to_tweet_id=""),
        row(tweet_id="6", author_id="sprintcare", inbound="False", text="@115 hi",
            in_response_to_tweet_id="5"),
        row(tweet_id="8", text="@115713 no one answered me", in_response_to_tweet_id=""),
        row(tweet_id="9", text="@applesupport hello", in_response_to_tweet_id=""),
    ]
    thread = thread_brands(rows)
    assert {k: thread.get(k) for k in "1345689"} == {
        "1": "AppleSupport", "3": "AppleSupport", "4": "AppleSupport", "5": "sprintcare",
        "6": "sprintcare", "8": None, "9": "AppleSupport"}
    assert twcs_message(rows[7], {}, thread).message.brand_account == "AppleSupport"
    message = twcs_message(rows[3], {}, thread).message
    assert (message.brand_account, message.in_reply_to_id) == ("AppleSupport", "3")
    with pytest.raises(Rejected, match="without a brand"):
        twcs_message(rows[6], {}, thread)
