"""Sends one reply request through its gateway and says how it ended.

The text is composed in the brand's voice and planned within the platform's limits (one
part, a thread, a forced DM, or a refusal with a reason). Every part is written to the
delivery ledger before and after its gateway call, so a redelivered request re-publishes
what was posted instead of posting again. Transient failures are retried with exponential
backoff and jitter, honouring the gateway's retry-after, until the reply's give-up
deadline; a platform that keeps failing opens its circuit and replies wait for it.
Every platform call first takes a slot of its account's shared send budget (``pacing``);
time spent waiting for budget does not count towards the give-up deadline. At most
``send_concurrency`` sends are active at once; one waiting for budget gives its place up.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
from tenacity import AsyncRetrying

from socialcare_contracts.events import ReplyFailed, ReplyKind, ReplyRequested, ReplySent
from socialcare_contracts.gateway.v1 import gateway_pb2
from socialcare_responder.adapters.gateways import GatewayClients, GatewayError
from socialcare_responder.adapters.ledger import Delivered, DeliveryLedger
from socialcare_responder.domain.budget import Lane, Limit, lane_for
from socialcare_responder.domain.circuit import CircuitBreaker, CircuitState
from socialcare_responder.domain.planning import Limits, Plan, Refusal, plan_delivery
from socialcare_responder.pacing import SendBudget
from socialcare_responder.settings import ResponderSettings
from socialcare_runtime.retries import retry_policy
from socialcare_text.brand_voice import CompositionError, compose

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class CircuitOpen(Exception):
    """The platform's circuit is open: try again once ``retry_after_s`` has passed."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"circuit open for {retry_after_s:.2f} s")
        self.retry_after_s = retry_after_s


@dataclass
class _Progress:
    """One reply's seconds waited for send budget, and whether it holds an active place."""

    waited_s: float = 0.0
    active: bool = False


def _retry_hint(exc: BaseException, breaker: CircuitBreaker) -> float | None:
    """The platform's retry-after; else, once the circuit is open, its reopening: replies
    in flight together then queue for the half-open trial instead of backing off for up to
    ``max_backoff_s`` past the platform's recovery."""
    hinted: float | None = getattr(exc, "retry_after_s", None)
    if hinted is None and breaker.state is not CircuitState.CLOSED:
        hinted = max(breaker.wait_s(), 0.05)
    return hinted


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, CircuitOpen) or (isinstance(exc, GatewayError) and exc.transient)


class ReplySender:
    def __init__(self, gateways: GatewayClients, ledger: DeliveryLedger,
                 settings: ResponderSettings, clock: Clock = lambda: datetime.now(UTC),
                 monotonic: Callable[[], float] = time.monotonic,
                 max_backoff_s: float = 30.0, budget: SendBudget | None = None) -> None:
        self.gateways = gateways
        self.budget = budget
        self.ledger = ledger
        self.settings = settings
        self.give_up_after = timedelta(seconds=settings.reply_give_up_after_s)
        self.clock = clock
        self.monotonic = monotonic
        self.max_backoff_s = max_backoff_s
        self._breakers: dict[str, CircuitBreaker] = {}
        # Many sends at once only contend for the ledger and the gateways; sends waiting for
        # budget hold no place, so an urgent one still reaches its account's queue.
        self._active = asyncio.Semaphore(settings.send_concurrency)

    async def send(self, reply: ReplyRequested) -> ReplySent | ReplyFailed:
        """Delivers a reply (all its parts) or says why not; retries what a retry can fix."""
        policy = self.settings.brand_policy(reply.brand_account)
        try:
            text = compose(reply.text, policy, reply.agent_id,
                           self.settings.agent_initials.get(reply.agent_id))
        except CompositionError as exc:
            return self._failed(reply, "invalid_argument", str(exc))
        breaker = self._breaker(reply.platform.value)
        progress = _Progress()
        policy = retry_policy(
            f"reply {reply.reply_id}", _retryable, initial_s=0.2, max_s=self.max_backoff_s,
            stop=lambda state: self._past_deadline(
                reply, state.upcoming_sleep - progress.waited_s),
            hint=lambda exc: _retry_hint(exc, breaker))
        await self._active.acquire()
        progress.active = True
        try:
            return await AsyncRetrying(**policy)(self._attempt, reply, text, breaker, progress)
        except CircuitOpen:
            return self._failed(reply, "unavailable", f"{reply.platform.value} keeps failing "
                                "(circuit open); send it again later")
        except GatewayError as exc:
            reason = f"platform kept failing ({exc.detail}); send it again later" \
                if exc.transient else exc.detail
            return self._failed(reply, exc.code.name.lower(), reason)
        finally:
            if progress.active:
                self._active.release()

    async def _attempt(self, reply: ReplyRequested, text: str, breaker: CircuitBreaker,
                       progress: _Progress) -> ReplySent | ReplyFailed:
        """One delivery try through the platform's circuit breaker."""
        if not breaker.allow():
            raise CircuitOpen(max(breaker.wait_s(), 0.05))
        settled = False
        try:
            outcome = await self._deliver(reply, text, progress)
            settled = True
            breaker.record_success()
            return outcome
        except GatewayError as exc:
            settled = True
            if exc.transient and exc.retry_after_s is None:
                breaker.record_failure()
            else:  # the platform answered: it is up, the reply or the rate is the problem
                breaker.record_success()
            raise
        finally:
            if not settled:  # cancelled or the ledger failed: free a half-open trial
                breaker.record_failure()

    async def _deliver(self, reply: ReplyRequested, text: str,
                       progress: _Progress) -> ReplySent | ReplyFailed:
        platform = reply.platform.value
        caps = await self.gateways.capabilities(platform)
        plan = plan_delivery(
            text, reply.kind is ReplyKind.DIRECT, bool(reply.in_reply_to_id), reply.private_data,
            self.settings.brand_policy(reply.brand_account),
            Limits(platform, caps.max_reply_length, caps.max_direct_message_length,
                   caps.supports_direct_messages, caps.length_counting or "codepoints"))
        if isinstance(plan, Refusal):
            return self._failed(reply, plan.code, plan.reason)
        lane = lane_for(platform, reply.brand_account, plan.direct,
                        Limit(caps.requests_per_window, caps.window_seconds),
                        Limit(caps.direct_messages_per_window,
                              caps.direct_message_window_seconds))
        first: Delivered | None = None
        previous = reply.in_reply_to_id or ""
        for part, part_text in enumerate(plan.parts):
            done = await self.ledger.sent(reply.reply_id, part)
            if done is None:
                progress.waited_s += await self._wait_for_budget(reply, lane, progress)
                await self.ledger.attempting(reply.reply_id, part, platform, self.clock())
                result = await self._post(reply, plan, part, part_text, previous, lane)
                done = Delivered(result.platform_message_id, result.permalink or None)
                await self.ledger.mark_sent(reply.reply_id, part, done, self.clock())
            first = first or done
            previous = done.platform_message_id
        assert first is not None  # a plan always has a part
        if plan.moved_to_dm:
            log.info("reply %s sent as a direct message (private data)", reply.reply_id)
        return ReplySent(reply_id=reply.reply_id, conversation_id=reply.conversation_id,
                         platform=reply.platform, platform_message_id=first.platform_message_id,
                         permalink=first.permalink, requested_at=reply.requested_at,
                         sent_at=self.clock())

    async def _wait_for_budget(self, reply: ReplyRequested, lane: Lane,
                               progress: _Progress) -> float:
        """Takes a slot of the account's budget, giving up the active place while it waits."""
        if self.budget is None or lane.limit.unlimited:
            return 0.0
        self._active.release()
        progress.active = False
        try:
            return await self.budget.take(lane, reply.priority, reply.bulk)
        finally:
            await self._active.acquire()
            progress.active = True

    async def _post(self, reply: ReplyRequested, plan: Plan, part: int, text: str,
                    in_reply_to: str, lane: Lane) -> gateway_pb2.SendResult:
        """One platform call; a 429 closes the account's budget window for every replica."""
        try:
            return await self._call(reply, plan, part, text, in_reply_to)
        except GatewayError as exc:
            if exc.code is grpc.StatusCode.RESOURCE_EXHAUSTED and self.budget is not None:
                await self.budget.exhausted(lane)
            raise

    async def _call(self, reply: ReplyRequested, plan: Plan, part: int, text: str,
                    in_reply_to: str) -> gateway_pb2.SendResult:
        # Part 0 keeps the reply id as its key, so a gateway sees the same key end to end.
        key = reply.reply_id if part == 0 else f"{reply.reply_id}:{part}"
        platform = reply.platform.value
        # Media go with the first part only: a thread repeats the text, not the pictures.
        media = list(reply.media_ids) if part == 0 else []
        if plan.direct:
            return await self.gateways.send_direct_message(platform,
                gateway_pb2.SendDirectMessageRequest(
                    idempotency_key=key, brand_account=reply.brand_account,
                    recipient_id=reply.recipient_id, text=text, platform=platform,
                    media_ids=media))
        return await self.gateways.send_reply(platform, gateway_pb2.SendReplyRequest(
            idempotency_key=key, brand_account=reply.brand_account,
            in_reply_to_message_id=in_reply_to, text=text, platform=platform,
            media_ids=media))

    def _breaker(self, platform: str) -> CircuitBreaker:
        if platform not in self._breakers:
            self._breakers[platform] = CircuitBreaker(
                self.monotonic, self.settings.circuit_failure_threshold,
                self.settings.circuit_reset_after_s)
        return self._breakers[platform]

    def _past_deadline(self, reply: ReplyRequested, delay_s: float) -> bool:
        return self.clock() + timedelta(seconds=delay_s) > reply.requested_at + self.give_up_after

    def _failed(self, reply: ReplyRequested, code: str, reason: str) -> ReplyFailed:
        log.info("reply %s failed: %s", reply.reply_id, code)
        return ReplyFailed(reply_id=reply.reply_id, conversation_id=reply.conversation_id,
                           platform=reply.platform, code=code, reason=reason,
                           requested_at=reply.requested_at, failed_at=self.clock())
