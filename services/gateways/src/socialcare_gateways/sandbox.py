"""The sandbox gateway: accepts everything, remembers what it "sent", fails on request.

Replies are deduplicated by idempotency key, as a real gateway must, so tests can prove
that a redelivered reply request never posts twice.
"""

import asyncio
import random
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from socialcare_contracts.gateway.v1 import (
    gateway_pb2,
    gateway_pb2_grpc,
    sandbox_pb2,
    sandbox_pb2_grpc,
)
from socialcare_gateways.settings import Budget
from socialcare_text.platform_text import LIMITS

# One table of platform limits, shared with the inbox's preview (socialcare_runtime).
MAX_LENGTH = LIMITS["api"].reply
MAX_DM_LENGTH = LIMITS["api"].direct_message


@dataclass
class _Record:
    message: sandbox_pb2.SentRecord
    result: gateway_pb2.SendResult


class SandboxGateway(gateway_pb2_grpc.PlatformGatewayServicer,
                     sandbox_pb2_grpc.SandboxControlServicer):
    def __init__(self, tracer: trace.Tracer, max_records: int = 100_000,
                 budget: Budget | None = None) -> None:
        self._tracer = tracer
        self._budget = budget
        self._records: dict[str, _Record] = {}
        self._order: deque[str] = deque()
        self._max_records = max_records
        self._faults = sandbox_pb2.Faults()
        self._window_start = 0.0
        self._window_calls = 0

    async def SendReply(self, request: gateway_pb2.SendReplyRequest,
                        context: grpc.aio.ServicerContext) -> gateway_pb2.SendResult:
        return await self._send(context, "reply", request.idempotency_key, request.brand_account,
                                request.in_reply_to_message_id, request.text, MAX_LENGTH,
                                request.media_ids)

    async def SendDirectMessage(self, request: gateway_pb2.SendDirectMessageRequest,
                                context: grpc.aio.ServicerContext) -> gateway_pb2.SendResult:
        return await self._send(context, "direct_message", request.idempotency_key,
                                request.brand_account, request.recipient_id, request.text,
                                MAX_DM_LENGTH, request.media_ids)

    async def GetCapabilities(self, request: gateway_pb2.GetCapabilitiesRequest,
                              context: grpc.aio.ServicerContext) -> gateway_pb2.Capabilities:
        # Without a configured budget it advertises the rate-limit fault it would enforce.
        budget = self._budget or Budget(requests=self._faults.rate_limit_per_second, window_s=1)
        return gateway_pb2.Capabilities(
            platform="sandbox", max_reply_length=MAX_LENGTH,
            max_direct_message_length=MAX_DM_LENGTH, supports_direct_messages=True,
            supports_attachments=True, length_counting="codepoints",
            requests_per_window=budget.requests, window_seconds=budget.window_s,
        )

    async def ListSent(self, request: sandbox_pb2.ListSentRequest,
                       context: grpc.aio.ServicerContext) -> sandbox_pb2.ListSentResponse:
        keys = [request.idempotency_key] if request.idempotency_key else list(self._order)
        return sandbox_pb2.ListSentResponse(
            records=[self._records[k].message for k in keys if k in self._records])

    async def SetFaults(self, request: sandbox_pb2.Faults,
                        context: grpc.aio.ServicerContext) -> sandbox_pb2.Faults:
        if not 0.0 <= request.failure_rate <= 1.0:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "failure_rate must be 0..1")
        self._faults = request
        return self._faults

    async def _send(self, context: grpc.aio.ServicerContext, kind: str, key: str, brand: str,
                    target: str, text: str, limit: int,
                    media_ids: Sequence[str] = ()) -> gateway_pb2.SendResult:
        carrier = {k: v for k, v in context.invocation_metadata() or ()}
        with self._tracer.start_as_current_span(
            f"sandbox {kind}", context=propagate.extract(carrier), kind=SpanKind.SERVER,
            attributes={"socialcare.idempotency_key": key},
        ):
            if not key:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "idempotency_key is required")
            if not text.strip():
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "text is empty")
            if len(text) > limit:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                                    f"text is {len(text)} characters, the limit is {limit}")
            await self._apply_faults(context)
            seen = self._records.get(key)
            if seen is not None:
                seen.message.attempts += 1
                result = gateway_pb2.SendResult()
                result.CopyFrom(seen.result)
                result.duplicate = True
                return result
            message_id = f"sbx-{uuid.uuid4().hex[:16]}"
            result = gateway_pb2.SendResult(
                platform_message_id=message_id,
                permalink=f"https://sandbox.socialcare.local/{brand}/{message_id}")
            self._remember(key, _Record(sandbox_pb2.SentRecord(
                idempotency_key=key, kind=kind, brand_account=brand, target_id=target,
                text=text, platform_message_id=message_id,
                sent_at_unix_ms=int(time.time() * 1000), attempts=1,
                media_ids=list(media_ids)), result))
            if self._faults.response_delay_ms:
                await asyncio.sleep(self._faults.response_delay_ms / 1000)
            return result

    async def _apply_faults(self, context: grpc.aio.ServicerContext) -> None:
        faults = self._faults
        if faults.delay_ms:
            await asyncio.sleep(faults.delay_ms / 1000)
        if faults.rate_limit_per_second:
            now = time.monotonic()
            if now - self._window_start >= 1.0:
                self._window_start, self._window_calls = now, 0
            self._window_calls += 1
            if self._window_calls > faults.rate_limit_per_second:
                retry_ms = int((1.0 - (now - self._window_start)) * 1000) + 1
                context.set_trailing_metadata((("retry-after-ms", str(retry_ms)),))
                await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "sandbox rate limit")
        if faults.failure_rate and random.random() < faults.failure_rate:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "sandbox injected failure")

    def _remember(self, key: str, record: _Record) -> None:
        self._records[key] = record
        self._order.append(key)
        while len(self._order) > self._max_records:
            self._records.pop(self._order.popleft(), None)
