"""A local X API v2 recent-search server: pagination, since_id, 429 with reset, 5xx, bad JSON.

Tests add tweets and queue faults; every request is recorded for assertions.
"""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.local_http import Answer, LocalGetServer


@dataclass
class Fault:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class FakeXSearch(LocalGetServer):
    """``with FakeXSearch() as x: x.base_url``; tweets are matched by a substring of the query."""

    def __init__(self, bearer_token: str = "test-bearer") -> None:
        self.bearer_token = bearer_token
        self.tweets: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        super().__init__()

    @property
    def base_url(self) -> str:
        return self.root_url

    def add_tweet(self, tweet_id: int, text: str, author_id: str = "42",
                  username: str = "dana_r", **extra: Any) -> None:
        with self._lock:
            self.tweets.append({"id": str(tweet_id), "text": text, "author_id": author_id,
                                "created_at": "2026-11-23T10:00:00.000Z",
                                "conversation_id": str(tweet_id), **extra})
            self.users[author_id] = {"id": author_id, "username": username,
                                     "name": username.title(),
                                     "public_metrics": {"followers_count": 5}}

    def fail_next(self, status: int, body: bytes = b"", **headers: str) -> None:
        """The next request gets this answer instead of results."""
        self.faults.append(Fault(status, body, {k.replace("_", "-"): v
                                                for k, v in headers.items()}))

    def search(self, params: dict[str, str]) -> dict[str, Any]:
        """The documented response shape: data newest first, includes.users, meta."""
        since = int(params.get("since_id") or 0)
        size = int(params.get("max_results") or 10)
        offset = int(params.get("next_token") or 0)
        words = [w for w in params.get("query", "").replace("(", " ").replace(")", " ").split()
                 if not w.startswith("-") and w != "OR"]
        with self._lock:
            matches = sorted((t for t in self.tweets if int(t["id"]) > since and any(
                w.strip('"').lower() in t["text"].lower() for w in words)),
                key=lambda t: int(t["id"]), reverse=True)
            page = matches[offset:offset + size]
            users = [self.users[a] for a in dict.fromkeys(t["author_id"] for t in page)]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if offset + size < len(matches):
            meta["next_token"] = str(offset + size)
        body: dict[str, Any] = {"meta": meta}
        if page:
            body |= {"data": page, "includes": {"users": users}}
        return body

    def get(self, path: str, query: str, authorization: str) -> Answer:
        params = {k: v[0] for k, v in parse_qs(query).items()}
        self.requests.append(params | {"path": path})
        if authorization != f"Bearer {self.bearer_token}":
            return 401, json.dumps({"title": "Unauthorized"}).encode(), {}
        if path != "/2/tweets/search/recent":
            return 404, b'{"title": "Not Found"}', {}
        if self.faults:
            fault = self.faults.popleft()
            return fault.status, fault.body, fault.headers
        return 200, json.dumps(self.search(params)).encode(), {}
