"""Meta: Facebook Page feed and Messenger, Instagram comments, mentions and DMs (webhooks)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from socialcare_contracts.messages import (
    Attachment,
    Author,
    ChannelKind,
    NormalizedMessage,
    Platform,
)
from socialcare_ingest.adapters import Rejected, adapter, build, epoch, items, mapping, string

OBJECTS = {"page": Platform.FACEBOOK, "instagram": Platform.INSTAGRAM}
UNKNOWN_AUTHOR = "unknown"
FEED_ITEMS = {"comment": ChannelKind.COMMENT, "post": ChannelKind.MENTION,
              "status": ChannelKind.MENTION, "photo": ChannelKind.MENTION,
              "video": ChannelKind.MENTION}


@dataclass(frozen=True)
class MentionRef:
    """An Instagram mention as its webhook gives it: ids only."""

    account_id: str  # the brand's Instagram account that was mentioned
    media_id: str
    comment_id: str | None  # set when the mention is in a comment, else it is in a caption


@dataclass(frozen=True)
class MentionDetails:
    """What the Graph API tells about a mention: its text and who wrote it."""

    text: str
    author_id: str
    handle: str | None
    created_at: datetime | None


def mention_refs(payload: Any) -> list[MentionRef]:
    """The Instagram mentions in a delivery, to look up before ``webhook`` maps it.

    Lenient: whatever is malformed is left for ``webhook`` to reject with its reason.
    """
    if not isinstance(payload, dict) or payload.get("object") != "instagram":
        return []
    found = []
    for entry in payload.get("entry") if isinstance(payload.get("entry"), list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("changes"), list):
            continue
        for change in entry["changes"]:
            if not isinstance(change, dict) or change.get("field") != "mentions" \
                    or not isinstance(change.get("value"), dict):
                continue
            value = change["value"]
            account, media, comment = entry.get("id"), value.get("media_id"), value.get(
                "comment_id")
            if isinstance(account, str | int) and isinstance(media, str | int):
                found.append(MentionRef(str(account), str(media),
                                        str(comment) if isinstance(comment, str | int) else None))
    return found


def _from(value: Any, where: str) -> Author:
    sender = mapping(value, where)
    name = sender.get("name") if isinstance(sender.get("name"), str) else None
    handle = sender.get("username") if isinstance(sender.get("username"), str) else None
    return Author(id=string(sender.get("id"), f"{where}.id"), handle=handle, display_name=name)


def _feed(value: dict[str, Any], where: str, account: str, brand: str
          ) -> NormalizedMessage | None:
    kind = FEED_ITEMS.get(value.get("item")) if isinstance(value.get("item"), str) else None
    if kind is None or value.get("verb") != "add":
        return None  # edits, removals, reactions, likes
    author = _from(value.get("from"), f"{where}.from")
    if author.id == account:
        return None  # the page's own post or comment
    post_id = string(value.get("post_id"), f"{where}.post_id")
    comment_id = string(value.get("comment_id"), f"{where}.comment_id", kind is ChannelKind.COMMENT)
    parent = string(value.get("parent_id"), f"{where}.parent_id", False)
    photo = value.get("photo") if isinstance(value.get("photo"), str) else None
    return build(where, platform=Platform.FACEBOOK, channel=kind, brand_account=brand,
                 platform_message_id=comment_id or post_id, thread_id=post_id,
                 in_reply_to_id=parent if comment_id else None, author=author,
                 text=string(value.get("message"), f"{where}.message", False) or "",
                 attachments=(Attachment(kind="image", url=photo),) if photo else (),
                 created_at=epoch(value.get("created_time"), f"{where}.created_time", False))


def _instagram(field: str, value: dict[str, Any], where: str, account: str, brand: str,
               entry_time: Any, details: Mapping[MentionRef, MentionDetails]
               ) -> NormalizedMessage | None:
    if field == "mentions":
        # The webhook carries ids only; ``details`` holds what the Graph API said about it.
        media = string(value.get("media_id"), f"{where}.media_id")
        comment = string(value.get("comment_id"), f"{where}.comment_id", False)
        found = details.get(MentionRef(account, media or "", comment))
        return build(where, platform=Platform.INSTAGRAM, channel=ChannelKind.MENTION,
                     brand_account=brand, platform_message_id=comment or media,
                     thread_id=media,
                     author=Author(id=found.author_id, handle=found.handle) if found
                     else Author(id=UNKNOWN_AUTHOR),
                     text=found.text if found else "",
                     created_at=(found and found.created_at)
                     or epoch(entry_time, "entry.time", False))
    author = _from(value.get("from"), f"{where}.from")
    if author.id == account:
        return None
    media = value.get("media")
    media_id = string(media.get("id"), f"{where}.media.id") if isinstance(media, dict) else None
    return build(where, platform=Platform.INSTAGRAM, channel=ChannelKind.COMMENT,
                 brand_account=brand, platform_message_id=string(value.get("id"), f"{where}.id"),
                 thread_id=media_id,
                 in_reply_to_id=string(value.get("parent_id"), f"{where}.parent_id", False),
                 author=author, text=string(value.get("text"), f"{where}.text", False) or "",
                 created_at=epoch(entry_time, "entry.time", False))


def _messaging(raw: Any, where: str, platform: Platform, account: str, brand: str
               ) -> NormalizedMessage | None:
    event = mapping(raw, where)
    message = event.get("message")
    if not isinstance(message, dict) or message.get("is_echo") is True:
        return None  # delivery and read receipts, postbacks, the brand's own messages
    sender = string(mapping(event.get("sender"), f"{where}.sender").get("id"),
                    f"{where}.sender.id")
    if sender == account:
        return None
    attachments = []
    for attachment in items(message.get("attachments"), f"{where}.message.attachments")[:20]:
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if isinstance(payload, dict) and isinstance(payload.get("url"), str):
            kind = attachment.get("type")
            attachments.append(Attachment(kind=kind if isinstance(kind, str) else "file",
                                          url=payload["url"]))
    return build(where, platform=platform, channel=ChannelKind.DIRECT_MESSAGE,
                 brand_account=brand, platform_message_id=string(message.get("mid"),
                                                                 f"{where}.message.mid"),
                 thread_id=f"dm:{sender}", author=Author(id=sender),
                 text=string(message.get("text"), f"{where}.message.text", False) or "",
                 attachments=tuple(attachments),
                 created_at=epoch(event.get("timestamp"), f"{where}.timestamp", True))


@adapter
def webhook(payload: Any, brand_accounts: dict[str, str],
            mentions: Mapping[MentionRef, MentionDetails] | None = None
            ) -> list[NormalizedMessage]:
    """Customer messages in one Meta delivery; accounts not configured are left out.

    Instagram mentions not in ``mentions`` (no lookup configured, or it found nothing)
    keep an empty text and an unknown author.
    """
    body = mapping(payload, "body")
    kind = body.get("object")
    platform = OBJECTS.get(kind) if isinstance(kind, str) else None
    if platform is None:
        raise Rejected(f"unknown object {str(kind)[:40]!r}; expected page or instagram")
    found: list[NormalizedMessage | None] = []
    for e, raw in enumerate(items(body.get("entry"), "entry")):
        entry = mapping(raw, f"entry[{e}]")
        account = string(entry.get("id"), f"entry[{e}].id")
        brand = brand_accounts.get(account or "")
        if brand is None:
            continue
        for c, change in enumerate(items(entry.get("changes"), f"entry[{e}].changes")):
            where = f"entry[{e}].changes[{c}]"
            field = mapping(change, where).get("field")
            value = mapping(change.get("value"), f"{where}.value")
            if platform is Platform.FACEBOOK and field == "feed":
                found.append(_feed(value, where, account, brand))
            elif platform is Platform.INSTAGRAM and field in ("comments", "mentions"):
                found.append(_instagram(field, value, where, account, brand, entry.get("time"),
                                        mentions or {}))
        for m, event in enumerate(items(entry.get("messaging"), f"entry[{e}].messaging")):
            found.append(_messaging(event, f"entry[{e}].messaging[{m}]", platform, account, brand))
    return [m for m in found if m is not None]
