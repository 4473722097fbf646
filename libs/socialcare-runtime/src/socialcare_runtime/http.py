"""HTTP pieces shared by the FastAPI services: body-size limit and secret lookup."""

import hmac
import json
from collections.abc import Mapping
from typing import TypeVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

V = TypeVar("V")


def find_by_secret(presented: str | None, secrets: Mapping[str, V]) -> V | None:
    """The value whose key equals ``presented``, compared in constant time against every key.

    Every key is compared even after a match, so the time taken does not tell an attacker
    how many keys exist or which one nearly matched.
    """
    if not presented:
        return None
    found: V | None = None
    candidate = presented.encode()
    for secret, value in secrets.items():
        if hmac.compare_digest(candidate, secret.encode()):
            found = value
    return found


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` with 413, before the app reads them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        seen = 0
        limit = self.max_bytes

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps({"detail": f"request body exceeds {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
