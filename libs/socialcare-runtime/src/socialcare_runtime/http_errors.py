"""How every FastAPI service answers an error, and says so in its OpenAPI document.

One body shape for every 4xx/5xx (``{"detail": ...}``, FastAPI's own), one description per
status, and a 405 whose ``Allow`` header names every method served at the path (Starlette
names only the first route's when several routes share a path).
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

DESCRIPTIONS = {
    400: "Malformed body (not UTF-8 or not JSON) or a delivery that cannot be used",
    401: "Missing or unknown key or signature",
    403: "Verification failed",
    404: "No such resource",
    409: "The resource's state refuses it; reload and try again",
    413: "Request body too large",
    422: "Invalid input: ``detail`` names each field and why",
    429: "Rate limited; retry after Retry-After",
    502: "A service this one relays to did not answer",
    503: "A backing service is unavailable; retry after Retry-After",
}


METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class Problem(BaseModel):
    """Why a request was refused: a sentence, or one entry per invalid field."""

    detail: str | list[dict[str, Any]] = Field(
        description="The reason, or a list of {field or loc, error or msg, ...} entries")


def error_responses(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``statuses``, each a ``Problem`` body; ``described`` gives
    a route's own wording by status name (``s404="no such rule set"``)."""
    return {status: {"model": Problem,
                     "description": described.get(f"s{status}", DESCRIPTIONS[status])}
            for status in statuses}


def allow_every_method(app: FastAPI) -> None:
    """Answers 405 with every method served at the path in ``Allow``."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code != 405:
            return await http_exception_handler(request, exc)
        # Each method is tried against the routes (FastAPI's included routers answer
        # ``matches`` for their children): Allow is what some route serves fully.
        methods = [method for method in METHODS if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in app.router.routes)]
        return JSONResponse({"detail": "Method Not Allowed"}, status_code=405,
                            headers={"Allow": ", ".join(methods)})

    app.add_exception_handler(StarletteHTTPException, handler)
