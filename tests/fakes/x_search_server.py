"""A local X API v2 recent-search server: pagination, since_id, 429 with reset, 5xx, bad JSON.

Tests add tweets and queue faults; every request is recorded for assertions.
"""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class FakeXSearch:
    """``with FakeXSearch() as x: x.base_url``; tweets are matched by a substring of the query."""

    def __init__(self, bearer_token: str = "test-bearer") -> None:
        self.bearer_token = bearer_token
        self.tweets: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FakeXSearch":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

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

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append(params | {"path": url.path})
                if self.headers.get("Authorization") != f"Bearer {fake.bearer_token}":
                    return self._send(401, json.dumps({"title": "Unauthorized"}).encode())
                if url.path != "/2/tweets/search/recent":
                    return self._send(404, b'{"title": "Not Found"}')
                if fake.faults:
                    fault = fake.faults.popleft()
                    return self._send(fault.status, fault.body, fault.headers)
                return self._send(200, json.dumps(fake.search(params)).encode())

            def _send(self, status: int, body: bytes,
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
