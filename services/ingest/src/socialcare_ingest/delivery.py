"""The one way messages leave ingest: rate limit, skip recent duplicates, publish, 503 on lag."""

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from cachetools import LRUCache
from fastapi import Request
from fastapi.responses import JSONResponse
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from socialcare_contracts import topics
from socialcare_contracts.events import MessageReceived
from socialcare_contracts.messages import NormalizedMessage
from socialcare_ingest.domain.identity import message_event_id, message_key
from socialcare_ingest.domain.ratelimit import RateLimiter
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.publisher import Backpressure, EventPublisher, Outgoing

log = logging.getLogger(__name__)


class Unavailable(RuntimeError):
    """Kafka did not acknowledge; answer with ``response``."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__("message bus unavailable")
        self.response = response


# Served without the generic HTTP instrumentation: at thousands of requests per second its
# middleware cost a quarter of the CPU; the handlers open their own server span instead.
SELF_TRACED_PATHS = "webhooks/x,webhooks/meta,v1/messages"


@contextmanager
def server_span(tracer: trace.Tracer, name: str, request: Request) -> Iterator[trace.Span]:
    """A server span for one delivery, continuing the caller's trace if it sent one."""
    with tracer.start_as_current_span(
            name, context=propagate.extract(request.headers), kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method,
                        "http.route": request.scope["path"]}) as span:
        yield span


class FrontDoor:
    """Shared by every channel, so each gets the same guarantees."""

    def __init__(self, settings: IngestSettings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.topic = settings.topic(topics.MESSAGES_RECEIVED)
        # Ids Kafka acknowledged, so a platform's retry is not published again.
        # cachetools cannot hold a key at size 0, so "off" (0) remembers the last id only.
        self.recent: LRUCache[str, None] = LRUCache(maxsize=max(1, settings.ingest_dedupe_size))
        self.limiter = RateLimiter(settings.ingest_rate_per_s, settings.ingest_rate_burst)
        self.clock = clock

    def throttled(self, source: str) -> JSONResponse | None:
        """A 429 when ``source`` is over its rate, else None."""
        wait = self.limiter.acquire(source, self.clock())
        if wait == 0:
            return None
        return JSONResponse({"detail": f"rate limit of source {source} exceeded"},
                            status_code=429, headers={"Retry-After": str(max(1, round(wait)))})

    def unavailable(self, what: str) -> JSONResponse:
        """A 503 telling the sender when to try again."""
        return JSONResponse({"detail": f"{what}, retry later"}, status_code=503,
                            headers={"Retry-After": str(self.settings.ingest_retry_after_s)})

    def fresh(self, messages: Sequence[NormalizedMessage],
              now: datetime | None = None) -> list[NormalizedMessage]:
        """Messages not older than the delivery age limit (older ones are replays)."""
        oldest = (now or datetime.now(UTC)) - timedelta(
            seconds=self.settings.ingest_max_delivery_age_s)
        return [m for m in messages if m.created_at >= oldest]

    async def publish(self, publisher: EventPublisher, messages: Sequence[NormalizedMessage],
                      source: str) -> list[str]:
        """Event ids of all ``messages`` once Kafka holds each; raises ``Unavailable``."""
        received_at = datetime.now(UTC)
        ids = [message_event_id(m) for m in messages]
        pending = {message_key(m): m for m in messages if message_key(m) not in self.recent}
        if pending:
            outgoing = [Outgoing(self.topic, m.conversation_key(),
                                 MessageReceived(message=m.model_copy(
                                     update={"received_at": m.received_at or received_at})),
                                 message_event_id(m)) for m in pending.values()]
            try:
                await publisher.publish(outgoing)
            except Backpressure as exc:
                log.warning("publishing %d messages from %s failed: %s", len(outgoing),
                            source, exc)
                raise Unavailable(self.unavailable("message bus unavailable")) from exc
            for key in pending:
                self.recent[key] = None
        return ids
