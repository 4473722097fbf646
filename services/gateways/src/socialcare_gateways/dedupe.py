"""Same idempotency key, same post: concurrent and repeated sends share the first result.

Real platforms take no idempotency key, so a responder retry after a lost response must
not reach them twice; this covers one gateway process, the responder's delivery ledger
covers restarts.
"""

import asyncio
from collections.abc import Awaitable, Callable

import grpc
from cachetools import LRUCache

from socialcare_contracts.gateway.v1 import gateway_pb2
from socialcare_gateways.errors import PlatformError, abort


class Deduper:
    def __init__(self, max_keys: int = 50_000) -> None:
        self._results: LRUCache[str, asyncio.Future[gateway_pb2.SendResult]] = LRUCache(
            maxsize=max_keys)

    async def once(self, key: str, send: Callable[[], Awaitable[gateway_pb2.SendResult]]
                   ) -> gateway_pb2.SendResult:
        """Runs ``send`` unless ``key`` succeeded or is running; failures are forgotten."""
        known = self._results.get(key)
        if known is not None:
            result = gateway_pb2.SendResult()
            result.CopyFrom(await asyncio.shield(known))
            result.duplicate = True
            return result
        future: asyncio.Future[gateway_pb2.SendResult] = asyncio.get_running_loop().create_future()
        self._results[key] = future
        try:
            result = await send()
        except BaseException as exc:
            self._results.pop(key, None)
            future.set_exception(exc)
            future.exception()  # retrieved: nobody may be waiting
            raise
        future.set_result(result)
        return result


async def send_once(context: grpc.aio.ServicerContext, deduper: Deduper, key: str, text: str,
                    send: Callable[[], Awaitable[gateway_pb2.SendResult]]
                    ) -> gateway_pb2.SendResult:
    """Validates a send, runs it at most once per key and aborts the call on platform errors."""
    try:
        if not key:
            raise PlatformError(grpc.StatusCode.INVALID_ARGUMENT, "idempotency_key is required")
        if not text.strip():
            raise PlatformError(grpc.StatusCode.INVALID_ARGUMENT, "text is empty")
        return await deduper.once(key, send)
    except PlatformError as error:
        await abort(context, error)
        raise  # abort raises; this keeps type checkers honest
