"""Webhook deliveries served straight from the ASGI scope, ahead of FastAPI's routing.

At thousands of deliveries a second, FastAPI's per-request routing, dependency and
exception layers cost more CPU than the delivery itself. The webhook endpoints take the
request alone and answer a finished response, so they can be called directly; they stay
registered with FastAPI too, for the OpenAPI document. The body-size limit and the
server-error middleware still wrap them.
"""

from collections.abc import Awaitable, Callable, Collection, Mapping

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


def post_endpoints(router: APIRouter, paths: Collection[str]) -> dict[str, Endpoint]:
    """The POST endpoints of ``router`` at ``paths``, by path."""
    return {route.path: route.endpoint for route in router.routes
            if isinstance(route, APIRoute) and "POST" in route.methods and route.path in paths}


class HotPaths:
    """ASGI middleware: a POST to one of ``endpoints`` is answered by it directly."""

    def __init__(self, app: ASGIApp, endpoints: Mapping[str, Endpoint]) -> None:
        self.app = app
        self.endpoints = endpoints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.endpoints.get(scope["path"]) \
            if scope["type"] == "http" and scope["method"] == "POST" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        response = await endpoint(Request(scope, receive))
        await response(scope, receive, send)
