"""Serves the web inbox (static HTML, CSS and ES modules under ``web/``) at ``/inbox/``.

No build step and nothing from a CDN: the page is plain files in this package, so it ships
in the wheel and the image. It calls the same authenticated API as any other client.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEB_DIR = Path(__file__).parent / "web"
PREFIX = "/inbox"
# Only the page's own files and API, and images from the platforms' media hosts; no inline
# script, no framing, no referrer leaks.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def page_headers(media_hosts: list[str]) -> dict[str, str]:
    images = " ".join(["'self'", "data:", *media_hosts])
    return {"Content-Security-Policy": f"default-src 'self'; img-src {images}; "
                                       "frame-ancestors 'none'; base-uri 'none'; "
                                       "form-action 'self'", **HEADERS}


class PageHeaders:
    """Adds the page's headers to its responses; a plain ASGI wrapper, so the SSE feed is
    untouched."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def mount_inbox_page(app: FastAPI) -> None:
    """Adds the page at /inbox/ and sends / there."""
    app.add_middleware(PageHeaders, headers=page_headers(app.state.settings.inbox_media_hosts))
    app.mount(PREFIX, StaticFiles(directory=WEB_DIR, html=True), name="inbox")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/")
