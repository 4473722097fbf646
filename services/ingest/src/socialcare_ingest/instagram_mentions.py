"""Instagram mentions arrive as ids only: the Graph API gives their text and author.

The lookup runs before anything is published, so a delivery is published whole or not at
all. A transient failure (timeout, 5xx, rate limit) answers the delivery with 503 and Meta
delivers it again later; a permanent one (the media is gone, a permission is missing) is
logged and the mention is published with its ids only, so it is still seen.
"""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr

from socialcare_ingest.adapters.meta import MentionDetails, MentionRef

log = logging.getLogger(__name__)
COMMENT_FIELDS = "id,text,timestamp,username,from"
MEDIA_FIELDS = "id,caption,timestamp,username"


class LookupUnavailable(RuntimeError):
    """The Graph API did not answer usefully for now; the delivery should be retried."""


def graph_time(value: Any) -> datetime | None:
    """A Graph API timestamp such as ``2026-11-23T10:00:00+0000``, or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def details_from(ref: MentionRef, body: Any) -> MentionDetails | None:
    """The mentioned comment or media in a Graph answer, or None if it has no usable text."""
    node = body.get("mentioned_comment" if ref.comment_id else "mentioned_media") \
        if isinstance(body, dict) else None
    if not isinstance(node, dict):
        return None
    text = node.get("text" if ref.comment_id else "caption")
    author = node.get("from") if isinstance(node.get("from"), dict) else {}
    handle = author.get("username") or node.get("username")
    author_id = author.get("id") or handle
    if not isinstance(text, str) or not isinstance(author_id, str | int):
        return None
    return MentionDetails(text=text, author_id=str(author_id),
                          handle=handle if isinstance(handle, str) else None,
                          created_at=graph_time(node.get("timestamp")))


class MentionLookup:
    """Looks up mentions of the accounts that have an access token; the others are skipped."""

    def __init__(self, client: httpx.AsyncClient, base_url: str,
                 tokens: Mapping[str, SecretStr]) -> None:
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens

    async def fetch(self, refs: Sequence[MentionRef]) -> dict[MentionRef, MentionDetails]:
        """Details of every mention found; raises ``LookupUnavailable`` on a transient failure."""
        wanted = [r for r in dict.fromkeys(refs) if r.account_id in self._tokens]
        answers = await asyncio.gather(*(self._one(r) for r in wanted))
        return {r: d for r, d in zip(wanted, answers, strict=True) if d is not None}

    async def _one(self, ref: MentionRef) -> MentionDetails | None:
        if ref.comment_id:
            fields = f"mentioned_comment.comment_id({ref.comment_id}){{{COMMENT_FIELDS}}}"
        else:
            fields = f"mentioned_media.media_id({ref.media_id}){{{MEDIA_FIELDS}}}"
        # The token goes in a header: URLs end up in access logs.
        token = self._tokens[ref.account_id].get_secret_value()
        try:
            answer = await self._client.get(f"{self._base_url}/{ref.account_id}",
                                            params={"fields": fields},
                                            headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise LookupUnavailable(f"Graph API unreachable: {type(exc).__name__}") from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise LookupUnavailable(f"Graph API answered {answer.status_code}")
        try:
            body = answer.json()
        except ValueError:
            raise LookupUnavailable("Graph API answered with a body that is not JSON") from None
        if answer.status_code >= 400:
            error = body.get("error") if isinstance(body, dict) else None
            if isinstance(error, dict) and error.get("is_transient"):
                raise LookupUnavailable(f"Graph API error {error.get('code')} (transient)")
            log.warning("instagram mention %s of account %s not looked up: %s %s",
                        ref.comment_id or ref.media_id, ref.account_id, answer.status_code,
                        error.get("code") if isinstance(error, dict) else "")
            return None
        return details_from(ref, body)
