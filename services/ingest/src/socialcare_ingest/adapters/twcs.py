"""The public "Customer Support on Twitter" (TWCS) CSV: one row to one message.

Customers are anonymised as numeric ids and brands appear by handle, so the brand of a
customer tweet is the first non-numeric @handle in it, and the customer a brand reply
answers is its first numeric @handle. A customer's reply inside a thread often names no
brand at all (X puts the handle in reply metadata, not the text): its brand is the one of
the tweet it answers, found by following ``in_response_to_tweet_id`` (``thread_brands``).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from socialcare_contracts.messages import ChannelKind, NormalizedMessage, Platform
from socialcare_ingest.adapters import Rejected, build, twitter_time

COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text",
           "response_tweet_id", "in_response_to_tweet_id")
_HANDLE = re.compile(r"@(\w+)")


@dataclass(frozen=True)
class TwcsMessage:
    message: NormalizedMessage
    key: str  # the customer's conversation key, for brand replies too


def tweet_id(value: str | None, column: str) -> str | None:
    """A TWCS id: digits, or a float string such as "3.0"; empty means none."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return value
    try:
        number = float(value)
    except ValueError:
        raise Rejected(f"{column} {value[:30]!r} is not a tweet id") from None
    if not number.is_integer() or number < 0:
        raise Rejected(f"{column} {value[:30]!r} is not a tweet id")
    return str(int(number))


def handles(text: str) -> tuple[list[str], list[str]]:
    """(brand handles, customer ids) mentioned in a tweet, in order."""
    found = _HANDLE.findall(text)
    return [h for h in found if not h.isdigit()], [h for h in found if h.isdigit()]


def thread_brands(rows: Iterable[Mapping[str, str | None]]) -> dict[str, str]:
    """The brand of every tweet whose thread shows one, by tweet id.

    A tweet's brand is the handle it names, else the brand that answered it
    (``response_tweet_id``), else that of the tweet it answers, followed up the thread.
    Handles are case-insensitive on X: a named ``@americanair`` is the ``AmericanAir``
    whose replies are in the file.
    """
    brand_of: dict[str, str] = {}
    named: dict[str, str] = {}
    parent_of: dict[str, str] = {}
    responses_of: dict[str, list[str]] = {}
    for row in rows:
        try:
            tid = tweet_id(row.get("tweet_id"), "tweet_id")
            parent = tweet_id(row.get("in_response_to_tweet_id"), "in_response_to_tweet_id")
        except Rejected:
            continue  # the row itself is refused with its reason later
        if tid is None:
            continue
        if (row.get("inbound") or "").strip().lower() == "false":
            brand_of[tid] = (row.get("author_id") or "").strip()
        elif brands := handles(row.get("text") or "")[0]:
            named[tid] = brands[0]
        else:
            if parent is not None:
                parent_of[tid] = parent
            responses_of[tid] = [r.strip() for r in (row.get("response_tweet_id") or "")
                                 .split(",") if r.strip()]
    authored = dict(brand_of)  # the brands' own tweets
    canonical = {brand.lower(): brand for brand in authored.values()}
    brand_of.update({tid: canonical.get(h.lower(), h) for tid, h in named.items()})
    unresolved = sorted(set(parent_of) | set(responses_of))
    for tid in unresolved:
        answered_by = [authored[r] for r in responses_of.get(tid, ()) if r in authored]
        if answered_by:
            brand_of[tid] = answered_by[0]
    for tid in unresolved:
        if tid in brand_of:
            continue
        seen, at = set(), tid
        while at in parent_of and at not in brand_of and at not in seen:
            seen.add(at)
            at = parent_of[at]
        if at in brand_of:
            brand_of[tid] = brand_of[at]
    return brand_of


def twcs_message(row: Mapping[str, str | None], brand_map: Mapping[str, str],
                 thread: Mapping[str, str] | None = None) -> TwcsMessage:
    """A customer tweet, or a brand's reply marked ``from_brand``; ``Rejected`` says why not."""
    missing = [c for c in COLUMNS[:5] if row.get(c) is None]
    if missing or None in row:
        raise Rejected("row does not have the 7 TWCS columns"
                       + (f" (missing {', '.join(missing)})" if missing else ""))
    values = {k: v for k, v in row.items() if isinstance(v, str)}
    try:
        # The file is read with surrogateescape: undecodable bytes cannot be re-encoded.
        "".join(values.values()).encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected("row is not valid UTF-8") from None
    inbound = values["inbound"].strip().lower()
    if inbound not in ("true", "false"):
        raise Rejected(f"inbound {values['inbound'][:10]!r} is neither True nor False")
    text = values["text"]
    author_id = values["author_id"].strip()
    if not author_id:
        raise Rejected("author_id is empty")
    try:
        created = twitter_time(values["created_at"].strip())
    except ValueError:
        raise Rejected(f"created_at {values['created_at'][:40]!r} is not like "
                       "'Tue Oct 31 22:10:47 +0000 2017'") from None
    message_id = tweet_id(values["tweet_id"], "tweet_id")
    if message_id is None:
        raise Rejected("tweet_id is empty")
    reply_to = tweet_id(values.get("in_response_to_tweet_id"), "in_response_to_tweet_id")
    brands, customers = handles(text)
    if inbound == "true":
        if (thread or {}).get(message_id):  # the thread's brand, spelt as it signs
            brands = [(thread or {})[message_id]]
        if not brands:
            raise Rejected("a customer tweet without a brand @handle, answering no tweet of "
                           "a brand's thread in the file")
        brand = brand_map.get(brands[0], brands[0])
        customer = author_id
        author = {"id": author_id}
    else:
        brand = brand_map.get(author_id, author_id)
        customer = customers[0] if customers else author_id
        author = {"id": author_id, "handle": author_id}
    message = build(f"tweet {message_id}", platform=Platform.X,
                    channel=ChannelKind.REPLY if reply_to else ChannelKind.MENTION,
                    brand_account=brand, platform_message_id=message_id,
                    in_reply_to_id=reply_to, author=author, text=text, created_at=created,
                    from_brand=inbound == "false")
    return TwcsMessage(message, f"{Platform.X.value}:{brand}:{customer}")
