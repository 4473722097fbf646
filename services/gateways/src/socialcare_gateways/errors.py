"""Platform failures as gRPC status codes: mapped once here, aborted once in ``abort``."""

import math
import time
from dataclasses import dataclass

import grpc

_BY_HTTP_STATUS = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ALREADY_EXISTS,
    413: grpc.StatusCode.INVALID_ARGUMENT,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


@dataclass(frozen=True)
class PlatformError(Exception):
    code: grpc.StatusCode
    detail: str
    retry_after_ms: int | None = None


def status_for_http(status: int) -> grpc.StatusCode:
    """The gRPC code for a platform's HTTP status; 5xx and the unknown are UNAVAILABLE."""
    return _BY_HTTP_STATUS.get(status, grpc.StatusCode.UNAVAILABLE)


def retry_after_ms_from(headers: dict[str, str], now: float | None = None) -> int | None:
    """Milliseconds until a rate limit resets, from X's reset epoch or ``Retry-After``."""
    now = time.time() if now is None else now
    reset = headers.get("x-rate-limit-reset")
    if reset and reset.isdigit():
        return max(0, math.ceil((int(reset) - now) * 1000))
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0, math.ceil(float(retry_after) * 1000))
        except ValueError:
            return None
    return None


async def abort(context: grpc.aio.ServicerContext, error: PlatformError) -> None:
    """Ends the call with the error's status and, when rate limited, ``retry-after-ms``."""
    if error.retry_after_ms is not None:
        context.set_trailing_metadata((("retry-after-ms", str(error.retry_after_ms)),))
    await context.abort(error.code, error.detail)
