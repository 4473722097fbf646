"""The one HTTP call every platform gateway makes: bounded by a deadline, errors mapped."""

import logging
from collections.abc import Callable
from typing import Any

import grpc
import httpx

from socialcare_gateways.errors import PlatformError, retry_after_ms_from, status_for_http

log = logging.getLogger(__name__)
# Turns a platform's error response into a PlatformError (its body says more than the status).
ErrorMapper = Callable[[httpx.Response], PlatformError]


def default_error(response: httpx.Response) -> PlatformError:
    """Maps by HTTP status, keeping the platform's own message as the detail."""
    detail = f"platform answered {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = body.get("detail") or body.get("title") or _first_error(body)
        if message:
            detail = f"{detail}: {message}"
    retry = retry_after_ms_from(dict(response.headers)) if response.status_code == 429 else None
    return PlatformError(status_for_http(response.status_code), detail[:500], retry)


def _first_error(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return errors[0].get("message") or errors[0].get("detail")
    return None


async def post_json(client: httpx.AsyncClient, url: str, payload: dict[str, Any],
                    headers: dict[str, str], on_error: ErrorMapper = default_error
                    ) -> dict[str, Any]:
    """POSTs JSON and returns the JSON answer, or raises a mapped ``PlatformError``."""
    try:
        response = await client.post(url, json=payload, headers=headers)
    except httpx.TimeoutException:
        raise PlatformError(grpc.StatusCode.UNAVAILABLE, "platform timed out") from None
    except httpx.TransportError as exc:
        raise PlatformError(grpc.StatusCode.UNAVAILABLE,
                            f"platform unreachable: {type(exc).__name__}") from None
    if response.status_code >= 300:
        error = on_error(response)
        log.warning("platform call failed: %s %s", response.status_code, error.code.name)
        raise error
    try:
        body = response.json()
    except ValueError:
        raise PlatformError(grpc.StatusCode.UNAVAILABLE, "platform answered non-JSON") from None
    if not isinstance(body, dict):
        raise PlatformError(grpc.StatusCode.UNAVAILABLE, "platform answered unexpected JSON")
    return body
