"""Mapping rows of the 'Customer Support on Twitter' CSV to NormalizedMessage."""

from datetime import UTC, datetime

import pytest

from socialcare_contracts.messages import ChannelKind, Platform
from socialcare_local.replay import brand_handle, twcs_message

pytestmark = pytest.mark.unit


def row(**overrides: str) -> dict[str, str]:
    base = {
        "tweet_id": "119237",
        "author_id": "105834",
        "inbound": "True",
        "created_at": "Tue Oct 31 22:10:47 +0000 2017",
        "text": "@AppleSupport causing the reply to be disregarded @115712",
        "response_tweet_id": "119236",
        "in_response_to_tweet_id": "",
    }
    return base | overrides


def test_a_first_customer_tweet_is_a_mention_of_the_brand() -> None:
    message = twcs_message(row())

    assert message is not None
    assert message.platform is Platform.X
    assert message.channel is ChannelKind.MENTION
    assert message.brand_account == "AppleSupport"
    assert message.platform_message_id == "119237"
    assert message.in_reply_to_id is None
    assert message.author.id == "105834"
    assert message.created_at == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)


def test_a_follow_up_is_a_reply_with_the_integer_parent_id() -> None:
    message = twcs_message(row(in_response_to_tweet_id="3.0"))

    assert message is not None
    assert message.channel is ChannelKind.REPLY
    assert message.in_reply_to_id == "3"


def test_brand_tweets_are_not_replayed() -> None:
    assert twcs_message(row(inbound="False")) is None


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("@115712 @sprintcare why", "sprintcare"),
        ("@115712 @115713 hello", "unknown"),
        ("no handle at all", "unknown"),
    ],
)
def test_the_brand_is_the_first_handle_that_is_not_a_number(text: str, brand: str) -> None:
    assert brand_handle(text) == brand
