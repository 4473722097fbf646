"""Sample platform payloads shaped as the X and Meta documentation shows them."""

from typing import Any

BRAND_X_ID = "1000"
PAGE_ID = "2000"
IG_ID = "3000"


def x_user(uid: str, handle: str) -> dict[str, Any]:
    return {"id": int(uid), "id_str": uid, "name": handle.title(), "screen_name": handle,
            "followers_count": 12, "verified": False}


def x_tweet(tid: str, text: str, author: str = "42", handle: str = "dana_r",
            reply_to: str | None = None, created: str = "Mon Nov 23 10:00:00 +0000 2026",
            **extra: Any) -> dict[str, Any]:
    return {"created_at": created, "id": int(tid), "id_str": tid, "text": text,
            "in_reply_to_status_id_str": reply_to, "user": x_user(author, handle),
            "lang": "en", "timestamp_ms": "1795428000000", **extra}


def x_tweets(*tweets: dict[str, Any], for_user: str = BRAND_X_ID) -> dict[str, Any]:
    return {"for_user_id": for_user, "tweet_create_events": list(tweets)}


def x_dm(mid: str, sender: str, text: str, at_ms: int = 1795428000000) -> dict[str, Any]:
    return {"for_user_id": BRAND_X_ID, "direct_message_events": [{
        "type": "message_create", "id": mid, "created_timestamp": str(at_ms),
        "message_create": {"target": {"recipient_id": BRAND_X_ID}, "sender_id": sender,
                           "message_data": {"text": text, "entities": {}}}}],
        "users": {sender: x_user(sender, "dana_r"), BRAND_X_ID: x_user(BRAND_X_ID, "acmeshop")}}


def fb_comment(cid: str, text: str, at: int = 1795428000, sender: str = "77") -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": at, "changes": [{
        "field": "feed", "value": {
            "from": {"id": sender, "name": "Dana R"}, "item": "comment", "verb": "add",
            "post_id": f"{PAGE_ID}_555", "comment_id": f"555_{cid}", "parent_id": f"{PAGE_ID}_555",
            "message": text, "created_time": at}}]}]}


def fb_post(pid: str, text: str, at: int = 1795428000) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": at, "changes": [{
        "field": "feed", "value": {
            "from": {"id": "77", "name": "Dana R"}, "item": "status", "verb": "add",
            "post_id": f"{PAGE_ID}_{pid}", "message": text, "created_time": at}}]}]}


def messaging(obj: str, account: str, mid: str, text: str, sender: str = "psid-9",
              at_ms: int = 1795428000000, echo: bool = False) -> dict[str, Any]:
    message: dict[str, Any] = {"mid": mid, "text": text}
    if echo:
        message["is_echo"] = True
    return {"object": obj, "entry": [{"id": account, "time": at_ms, "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": account}, "timestamp": at_ms,
        "message": message}]}]}


def ig_comment(cid: str, text: str, at: int = 1795428000) -> dict[str, Any]:
    return {"object": "instagram", "entry": [{"id": IG_ID, "time": at, "changes": [{
        "field": "comments", "value": {"from": {"id": "88", "username": "dana.r"},
                                       "media": {"id": "m1", "media_product_type": "FEED"},
                                       "id": cid, "text": text}}]}]}


def ig_mention(comment: str, at: int = 1795428000) -> dict[str, Any]:
    return {"object": "instagram", "entry": [{"id": IG_ID, "time": at, "changes": [{
        "field": "mentions", "value": {"media_id": "m2", "comment_id": comment}}]}]}
