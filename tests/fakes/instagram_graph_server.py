"""A local Instagram Graph API: mentioned_comment / mentioned_media lookups, errors on demand.

Answers ``GET /v21.0/{ig-user-id}?fields=mentioned_comment.comment_id(ID){...}`` (and the
``mentioned_media.media_id`` form) as the documented API does; requests are recorded.
"""

import json
import re
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.local_http import Answer, LocalGetServer

MENTION = re.compile(r"mentioned_(comment|media)\.(?:comment|media)_id\(([^)]+)\)")


class FakeInstagramGraph(LocalGetServer):
    """``with FakeInstagramGraph(token) as g: g.base_url``; add comments and media, fail calls."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.nodes: dict[tuple[str, str], dict[str, Any]] = {}
        self.faults: deque[tuple[int, dict[str, Any]]] = deque()
        self.requests: list[dict[str, str]] = []
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v21.0"

    def add_comment(self, comment_id: str, text: str, username: str, user_id: str,
                    timestamp: str) -> None:
        """A comment mentioning the account; ``timestamp`` like 2026-11-23T10:00:00+0000."""
        self.nodes[("comment", comment_id)] = {
            "id": comment_id, "text": text, "username": username,
            "from": {"id": user_id, "username": username}, "timestamp": timestamp}

    def add_media(self, media_id: str, caption: str, username: str, timestamp: str) -> None:
        """A post whose caption mentions the account."""
        self.nodes[("media", media_id)] = {"id": media_id, "caption": caption,
                                           "username": username, "timestamp": timestamp}

    def fail_next(self, status: int, code: int = 2, transient: bool = False) -> None:
        self.faults.append((status, {"error": {"message": "fake failure", "code": code,
                                               "is_transient": transient}}))

    def get(self, path: str, query: str, authorization: str) -> Answer:
        self.requests.append({"path": path, "query": query, "auth": authorization})
        status, body = self._answer(path, parse_qs(query), authorization)
        return status, json.dumps(body).encode(), {}

    def _answer(self, path: str, query: dict[str, list[str]], auth: str) -> tuple[int, Any]:
        if auth != f"Bearer {self.token}":
            return 400, {"error": {"message": "Invalid OAuth access token", "code": 190}}
        if self.faults:
            return self.faults.popleft()
        found = MENTION.search((query.get("fields") or [""])[0])
        node = self.nodes.get((found.group(1), found.group(2))) if found else None
        if node is None:
            return 400, {"error": {"message": "Unsupported get request", "code": 100}}
        return 200, {f"mentioned_{found.group(1)}": node, "id": path.rsplit("/", 1)[-1]}
