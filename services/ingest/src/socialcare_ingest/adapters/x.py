"""X: Account Activity webhook events and API v2 recent-search results."""

from datetime import datetime
from typing import Any

from socialcare_contracts.messages import (
    Attachment,
    Author,
    ChannelKind,
    NormalizedMessage,
    Platform,
)
from socialcare_ingest.adapters import (
    Rejected,
    adapter,
    build,
    epoch,
    items,
    mapping,
    string,
    twitter_time,
)

HANDLED_KEYS = frozenset({"tweet_create_events", "direct_message_events"})


def _v1_time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise Rejected(f"{where} must be a date string")
    try:
        return twitter_time(value)
    except ValueError:
        raise Rejected(f"{where} is not a date like 'Wed Oct 10 20:19:24 +0000 2018'") from None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _v1_author(user: dict[str, Any], where: str) -> Author:
    return Author(id=string(user.get("id_str") or user.get("id"), f"{where}.id"),
                  handle=string(user.get("screen_name"), f"{where}.screen_name", False),
                  display_name=string(user.get("name"), f"{where}.name", False),
                  followers=_count(user.get("followers_count")),
                  verified=user.get("verified") is True)


def _tweet_text(tweet: dict[str, Any], where: str) -> str:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and isinstance(extended.get("full_text"), str):
        return extended["full_text"]
    return string(tweet.get("full_text", tweet.get("text")), f"{where}.text", False) or ""


def _media(entities: Any) -> tuple[Attachment, ...]:
    if not isinstance(entities, dict) or not isinstance(entities.get("media"), list):
        return ()
    return tuple(Attachment(kind=m.get("type") if m.get("type") in ("photo", "video") else "image",
                            url=m["media_url_https"])
                 for m in entities["media"][:20]
                 if isinstance(m, dict) and isinstance(m.get("media_url_https"), str))


def _tweet(raw: Any, where: str, brand_id: str, brand: str) -> NormalizedMessage | None:
    tweet = mapping(raw, where)
    user = mapping(tweet.get("user"), f"{where}.user")
    author = _v1_author(user, f"{where}.user")
    if author.id == brand_id:
        return None  # the brand's own tweet (e.g. an agent's reply) echoed back
    reply_to = string(tweet.get("in_reply_to_status_id_str"), f"{where}.in_reply_to", False)
    quoted = string(tweet.get("quoted_status_id_str"), f"{where}.quoted_status_id_str", False)
    return build(
        where,
        platform=Platform.X,
        channel=ChannelKind.REPLY if reply_to else ChannelKind.MENTION,
        brand_account=brand,
        platform_message_id=string(tweet.get("id_str") or tweet.get("id"), f"{where}.id_str"),
        thread_id=reply_to or quoted,
        in_reply_to_id=reply_to,
        author=author,
        text=_tweet_text(tweet, where),
        attachments=_media(tweet.get("extended_entities") or tweet.get("entities")),
        language_hint=tweet.get("lang") if isinstance(tweet.get("lang"), str) else None,
        created_at=_v1_time(tweet.get("created_at"), f"{where}.created_at"),
    )


def _direct_message(raw: Any, where: str, users: dict[str, Any], brand_id: str,
                    brand: str) -> NormalizedMessage | None:
    event = mapping(raw, where)
    if event.get("type") != "message_create":
        return None
    create = mapping(event.get("message_create"), f"{where}.message_create")
    sender = string(create.get("sender_id"), f"{where}.message_create.sender_id")
    if sender == brand_id:
        return None  # an agent's DM
    data = mapping(create.get("message_data"), f"{where}.message_create.message_data")
    user = users.get(sender)
    author = _v1_author(user, f"users.{sender}") if isinstance(user, dict) else Author(id=sender)
    attachment = data.get("attachment")
    media = attachment.get("media") if isinstance(attachment, dict) else None
    attachments = ((Attachment(kind=media.get("type") or "image", url=media["media_url_https"]),)
                   if isinstance(media, dict) and isinstance(media.get("media_url_https"), str)
                   and isinstance(media.get("type"), str | None) else ())
    return build(
        where,
        platform=Platform.X,
        channel=ChannelKind.DIRECT_MESSAGE,
        brand_account=brand,
        platform_message_id=string(event.get("id"), f"{where}.id"),
        thread_id=f"dm:{sender}",
        author=author.model_copy(update={"id": sender}),
        text=string(data.get("text"), f"{where}.message_data.text", False) or "",
        attachments=attachments,
        created_at=epoch(event.get("created_timestamp"), f"{where}.created_timestamp", True),
    )


@adapter
def account_activity(payload: Any, brand_accounts: dict[str, str]) -> list[NormalizedMessage]:
    """Customer messages in one Account Activity delivery; [] for other accounts' events."""
    body = mapping(payload, "body")
    for_user = string(body.get("for_user_id"), "for_user_id")
    brand = brand_accounts.get(for_user or "")
    if not any(isinstance(k, str) and k.endswith("_events") for k in body):
        raise Rejected("no *_events in the delivery")
    if brand is None or not (HANDLED_KEYS & body.keys()):
        return []  # another account's subscription, or favorites/follows/... we do not handle
    users = body.get("users") if isinstance(body.get("users"), dict) else {}
    found = [_tweet(t, f"tweet_create_events[{i}]", for_user, brand)
             for i, t in enumerate(items(body.get("tweet_create_events"), "tweet_create_events"))]
    found += [_direct_message(e, f"direct_message_events[{i}]", users, for_user, brand)
              for i, e in enumerate(items(body.get("direct_message_events"),
                                          "direct_message_events"))]
    return [m for m in found if m is not None]


@adapter
def search_page(payload: Any, brand: str, brand_ids: frozenset[str] = frozenset()
                ) -> list[NormalizedMessage]:
    """Tweets of one API v2 recent-search page, authors from ``includes.users``."""
    page = mapping(payload, "body")
    includes = page.get("includes") if isinstance(page.get("includes"), dict) else {}
    users = {u["id"]: u for u in items(includes.get("users"), "includes.users")
             if isinstance(u, dict) and isinstance(u.get("id"), str)}
    messages = []
    for i, raw in enumerate(items(page.get("data"), "data")):
        where = f"data[{i}]"
        tweet = mapping(raw, where)
        author_id = string(tweet.get("author_id"), f"{where}.author_id")
        if author_id in brand_ids:
            continue
        user = users.get(author_id, {})
        metrics = user.get("public_metrics")
        refs = [r for r in items(tweet.get("referenced_tweets"), f"{where}.referenced_tweets")
                if isinstance(r, dict)]
        reply_to = next((r.get("id") for r in refs if r.get("type") == "replied_to"), None)
        created = tweet.get("created_at")
        if not isinstance(created, str):
            raise Rejected(f"{where}.created_at must be an ISO date")
        messages.append(build(
            where,
            platform=Platform.X,
            channel=ChannelKind.REPLY if reply_to else ChannelKind.MENTION,
            brand_account=brand,
            platform_message_id=string(tweet.get("id"), f"{where}.id"),
            thread_id=string(tweet.get("conversation_id"), f"{where}.conversation_id", False),
            in_reply_to_id=reply_to if isinstance(reply_to, str) else None,
            author=Author(
                id=author_id,
                handle=user.get("username") if isinstance(user.get("username"), str) else None,
                display_name=user.get("name") if isinstance(user.get("name"), str) else None,
                followers=_count(metrics.get("followers_count")) if isinstance(metrics, dict)
                else None,
                verified=user.get("verified") is True),
            text=string(tweet.get("text"), f"{where}.text", False) or "",
            language_hint=tweet.get("lang") if isinstance(tweet.get("lang"), str) else None,
            created_at=created,
        ))
    return messages
