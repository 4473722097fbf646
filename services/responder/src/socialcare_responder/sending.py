"""Sends one reply request through its gateway and says how it ended.

Transient failures are retried with exponential backoff and jitter, honouring the
gateway's retry-after, until the reply's give-up deadline; the idempotency key (the
reply id) makes every retry safe. Anything else fails at once with a reason an agent can
act on.
"""

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from socialcare_contracts.events import ReplyFailed, ReplyKind, ReplyRequested, ReplySent
from socialcare_contracts.gateway.v1 import gateway_pb2
from socialcare_responder.adapters.gateways import GatewayClients, GatewayError

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class ReplySender:
    def __init__(self, gateways: GatewayClients, give_up_after: timedelta,
                 clock: Clock = lambda: datetime.now(UTC), max_backoff_s: float = 30.0) -> None:
        self.gateways = gateways
        self.give_up_after = give_up_after
        self.clock = clock
        self.max_backoff_s = max_backoff_s

    async def send(self, reply: ReplyRequested) -> ReplySent | ReplyFailed:
        attempt = 0
        while True:
            try:
                return await self._attempt(reply)
            except GatewayError as exc:
                if not exc.transient:
                    return self._failed(reply, exc.code.name.lower(), exc.detail)
                attempt += 1
                delay = exc.retry_after_s if exc.retry_after_s is not None else \
                    min(self.max_backoff_s, 0.2 * 2 ** min(attempt, 10)) * random.uniform(0.5, 1)
                if self.clock() + timedelta(seconds=delay) > \
                        reply.requested_at + self.give_up_after:
                    reason = f"platform kept failing ({exc.detail}); send it again later"
                    return self._failed(reply, exc.code.name.lower(), reason)
                log.warning("reply %s: %s, retry %d in %.2fs", reply.reply_id, exc.code.name,
                            attempt, delay)
                await asyncio.sleep(delay)

    async def _attempt(self, reply: ReplyRequested) -> ReplySent | ReplyFailed:
        platform = reply.platform.value
        caps = await self.gateways.capabilities(platform)
        direct = reply.kind is ReplyKind.DIRECT
        if direct and not caps.supports_direct_messages:
            return self._failed(reply, "unsupported", f"{platform} has no direct messages")
        limit = caps.max_direct_message_length if direct else caps.max_reply_length
        if limit and len(reply.text) > limit:
            return self._failed(reply, "too_long",
                                f"text is {len(reply.text)} characters, {platform} allows {limit}")
        if direct:
            result = await self.gateways.send_direct_message(platform,
                gateway_pb2.SendDirectMessageRequest(
                    idempotency_key=reply.reply_id, brand_account=reply.brand_account,
                    recipient_id=reply.recipient_id, text=reply.text))
        else:
            if not reply.in_reply_to_id:
                return self._failed(reply, "invalid_argument", "no customer message to reply to")
            result = await self.gateways.send_reply(platform, gateway_pb2.SendReplyRequest(
                idempotency_key=reply.reply_id, brand_account=reply.brand_account,
                in_reply_to_message_id=reply.in_reply_to_id, text=reply.text))
        return ReplySent(reply_id=reply.reply_id, conversation_id=reply.conversation_id,
                         platform=reply.platform, platform_message_id=result.platform_message_id,
                         permalink=result.permalink or None, requested_at=reply.requested_at,
                         sent_at=self.clock())

    def _failed(self, reply: ReplyRequested, code: str, reason: str) -> ReplyFailed:
        return ReplyFailed(reply_id=reply.reply_id, conversation_id=reply.conversation_id,
                           platform=reply.platform, code=code, reason=reason,
                           requested_at=reply.requested_at, failed_at=self.clock())
