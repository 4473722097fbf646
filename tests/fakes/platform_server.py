"""A local HTTP server that answers as X API v2 and the Meta Graph API do.

Gateways under test point their base URLs at it. It checks bearer tokens, answers the
documented success shapes, records every call so tests can count them, and plays
scripted failures: any status with the platform's error body and headers (429 with
reset headers, 5xx), or a delay longer than the caller's deadline.
"""

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc
from aiohttp import web

from socialcare_contracts.gateway.v1 import gateway_pb2_grpc
from socialcare_gateways.server import start_server

X_TOKEN = "x-user-token"
META_TOKEN = "meta-page-token"
META_PAGE_ID = "1000"
META_IG_USER_ID = "2000"


@dataclass
class Call:
    method: str
    path: str
    json: Any
    authorization: str


@dataclass
class Fault:
    path_pattern: str
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    times: int = 1


class FakePlatform:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        # Messenger/Instagram recipients who wrote within the last 24 hours.
        self.open_windows: set[str] = set()
        self._ids = itertools.count(1_000_000)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> str:
        """Serves on a free port of 127.0.0.1; returns the base URL."""
        app = web.Application()
        app.router.add_post("/2/tweets", self._x_post)
        app.router.add_post("/2/dm_conversations/with/{participant}/messages", self._x_dm)
        app.router.add_post("/v21.0/{node}/{edge}", self._graph)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, fault: Fault) -> None:
        """Answers the next ``fault.times`` calls whose path matches with this fault."""
        self.faults.append(fault)

    def calls_to(self, pattern: str) -> list[Call]:
        return [c for c in self.calls if re.search(pattern, c.path)]

    async def _record(self, request: web.Request) -> tuple[Call, web.Response | None]:
        try:
            body = await request.json()
        except ValueError:
            body = None
        call = Call(request.method, request.path, body, request.headers.get("Authorization", ""))
        self.calls.append(call)
        for fault in self.faults:
            if fault.times > 0 and re.search(fault.path_pattern, request.path):
                fault.times -= 1
                if fault.delay_s:
                    await asyncio.sleep(fault.delay_s)
                return call, web.json_response(fault.body, status=fault.status,
                                               headers=fault.headers)
        return call, None

    async def _x_post(self, request: web.Request) -> web.Response:
        call, scripted = await self._record(request)
        if scripted is not None:
            return scripted
        if call.authorization != f"Bearer {X_TOKEN}":
            return _x_problem(401, "Unauthorized", "Unauthorized")
        if not isinstance(call.json, dict) or not call.json.get("text"):
            return _x_problem(400, "Invalid Request", "One or more parameters are invalid.")
        post_id = str(next(self._ids))
        return web.json_response({"data": {"id": post_id, "text": call.json["text"]}},
                                 status=201)

    async def _x_dm(self, request: web.Request) -> web.Response:
        call, scripted = await self._record(request)
        if scripted is not None:
            return scripted
        if call.authorization != f"Bearer {X_TOKEN}":
            return _x_problem(401, "Unauthorized", "Unauthorized")
        participant = request.match_info["participant"]
        return web.json_response({"data": {"dm_conversation_id": f"1-{participant}",
                                           "dm_event_id": str(next(self._ids))}}, status=201)

    async def _graph(self, request: web.Request) -> web.Response:
        call, scripted = await self._record(request)
        if scripted is not None:
            return scripted
        if call.authorization != f"Bearer {META_TOKEN}":
            return graph_error(401, 190, "Error validating access token", "OAuthException")
        node, edge = request.match_info["node"], request.match_info["edge"]
        body = call.json if isinstance(call.json, dict) else {}
        if edge in ("comments", "replies", "feed"):
            if not body.get("message"):
                return graph_error(400, 100, "(#100) Missing message", "OAuthException")
            return web.json_response({"id": f"{node}_{next(self._ids)}"})
        if edge == "messages" and node in (META_PAGE_ID, META_IG_USER_ID):
            recipient = (body.get("recipient") or {}).get("id", "")
            if recipient not in self.open_windows:
                return graph_error(400, 10, "(#10) This message is sent outside of allowed "
                                   "window.", "OAuthException", subcode=2018278)
            return web.json_response({"recipient_id": recipient,
                                      "message_id": f"m_{next(self._ids)}"})
        return graph_error(400, 100, "Unsupported post request.", "GraphMethodException")


def _x_problem(status: int, title: str, detail: str) -> web.Response:
    return web.json_response({"title": title, "detail": detail, "status": status,
                              "type": "about:blank"}, status=status)


def graph_error_body(code: int, message: str, kind: str = "OAuthException",
                     subcode: int | None = None) -> dict[str, Any]:
    """A Graph API error body: ``{"error": {message, type, code, error_subcode, ...}}``."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def graph_error(status: int, code: int, message: str, kind: str,
                subcode: int | None = None) -> web.Response:
    return web.json_response(graph_error_body(code, message, kind, subcode), status=status)


@asynccontextmanager
async def serving_gateway(servicer: Any, credentials: Any = None) -> AsyncIterator[str]:
    """Serves one gateway servicer on a free local port; yields its ``localhost:port``."""
    server, _, port = await start_server(
        "127.0.0.1:0", [lambda s: gateway_pb2_grpc.add_PlatformGatewayServicer_to_server(
            servicer, s)], 256 * 1024, credentials)
    try:
        yield f"localhost:{port}"
    finally:
        await server.stop(grace=None)


@asynccontextmanager
async def running_gateway(servicer: Any, credentials: Any = None,
                          channel_credentials: Any = None
                          ) -> AsyncIterator[gateway_pb2_grpc.PlatformGatewayStub]:
    """A gateway servicer served locally, and a stub connected to it."""
    async with serving_gateway(servicer, credentials) as target:
        channel = grpc.aio.secure_channel(target, channel_credentials) \
            if channel_credentials else grpc.aio.insecure_channel(target)
        try:
            yield gateway_pb2_grpc.PlatformGatewayStub(channel)
        finally:
            await channel.close()
