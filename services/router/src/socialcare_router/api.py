"""The inbox API: agents work conversations; supervisors manage queues, rules and SLAs."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from opentelemetry import trace

from socialcare_contracts import topics
from socialcare_router import (
    api_actions,
    api_admin,
    api_audit,
    api_catalog,
    api_clusters,
    api_conversations,
    api_corrections,
    api_inbox,
    api_incidents,
    api_listening,
    api_people,
    api_reports,
    api_search,
)
from socialcare_router.adapters.conversations import AtCapacity
from socialcare_router.adapters.corrections import CorrectionStore
from socialcare_router.adapters.search import Feed, open_search
from socialcare_router.adapters.store import Store
from socialcare_router.deps import AUTH_ERRORS, AnyUser
from socialcare_router.domain.conversation import ConversationError
from socialcare_router.domain.corrections import InvalidCorrection
from socialcare_router.domain.permissions import Forbidden
from socialcare_router.domain.sla import BusinessHours, SlaPolicy
from socialcare_router.inbox import Events, Inbox, NotFound, OutboxRelay, Unknown
from socialcare_router.inbox_page import mount_inbox_page
from socialcare_router.live_feed import LiveFeed, TooManyClients
from socialcare_router.routing_config import RoutingConfig
from socialcare_router.settings import RouterSettings
from socialcare_runtime.api_docs import serve_api_docs
from socialcare_runtime.http import BodySizeLimit
from socialcare_runtime.http_errors import allow_every_method, error_responses
from socialcare_runtime.publisher import EventPublisher, Outgoing

log = logging.getLogger(__name__)


async def bootstrap_agents(store: Store, settings: RouterSettings) -> None:
    """Gives every configured user an agent profile; supervisors' later edits are kept."""
    for user in settings.inbox_users.values():
        await store.config.bootstrap_agent(user.id, {
            "name": user.name, "role": user.role, "skills": {}, "load": 0,
            "capacity": settings.default_agent_capacity, "presence": "online"})


# The domain's errors, mapped to HTTP once for every route.
DOMAIN_ERRORS: dict[type[Exception], int] = {
    NotFound: 404, Forbidden: 403, ConversationError: 409, AtCapacity: 409, Unknown: 422,
    InvalidCorrection: 422}


def problem(detail: object, status: int) -> Response:
    """The shared ``Problem`` body, as ASCII JSON: an input echoed back with a lone
    surrogate in it is escaped (UTF-8 cannot carry it, so it would be a 500)."""
    return Response(json.dumps({"detail": jsonable_encoder(detail)}), status,
                    media_type="application/json")


def map_domain_errors(app: FastAPI) -> None:
    """Each domain error, and invalid input, answers its status with a ``Problem`` body."""
    for error, status in DOMAIN_ERRORS.items():
        async def handle(_: Request, exc: Exception, status: int = status) -> Response:
            return problem(str(exc), status)
        app.add_exception_handler(error, handle)

    async def invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem(exc.errors(), 422)
    app.add_exception_handler(RequestValidationError, invalid)


def create_app(settings: RouterSettings, store: Store,
               connect: Callable[[], EventPublisher], tracer: trace.Tracer) -> FastAPI:
    """Builds the inbox API around a store; ``connect`` makes the Kafka publisher at start."""
    settings.refuse_dev_api_keys()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await store.create_indexes()
        await CorrectionStore(store.db).create_indexes()
        await bootstrap_agents(store, settings)
        publisher = app.state.publisher = connect()
        updated = settings.topic(topics.CONVERSATIONS_UPDATED)

        async def publish(events: Events) -> None:
            await publisher.publish([Outgoing(updated, conversation_id, event, event_id)
                                     for event_id, conversation_id, event in events])

        config = RoutingConfig(store.config, settings.routing_refresh_s)
        default_sla = SlaPolicy(BusinessHours(timezone=settings.sla_timezone))

        async def sla_of(brand_account: str) -> SlaPolicy:
            return (await config.current()).sla_for(brand_account, default_sla)

        app.state.inbox = Inbox(store.repository, store.config, store.audit, publish, sla_of,
                                store.work.held_unanswered, settings.escalation_share,
                                (settings.default_queue, settings.escalation_queue))
        relay = asyncio.create_task(OutboxRelay(store.repository, publish).run(
            settings.outbox_relay_s))
        live = LiveFeed(settings.kafka_bootstrap, settings.topic(topics.CONVERSATIONS_UPDATED),
                        settings.topic_prefix, settings.live_max_clients,
                        settings.live_client_queue)
        await live.start()
        app.state.live = live
        search = app.state.search = await open_search(store.db, Feed(
            settings.kafka_bootstrap, settings.topic(topics.MESSAGES_CLASSIFIED),
            settings.topic(topics.REPLIES_SENT), settings.topic(topics.CONVERSATIONS_UPDATED)))
        yield
        relay.cancel()
        await search.stop()
        await live.stop()
        publisher.close()

    app = FastAPI(title="SocialCare inbox", version="1", lifespan=lifespan,
                  description="Queues, conversations and replies for agents; agents, queues, "
                              "routing rules, SLA policies and saved replies for supervisors. "
                              "Every route needs an `X-API-Key` header.")
    serve_api_docs(app)  # offline: Swagger UI and ReDoc from a package, not a CDN
    allow_every_method(app)
    app.state.settings, app.state.store, app.state.tracer = settings, store, tracer
    app.add_middleware(BodySizeLimit, max_bytes=settings.inbox_max_body_bytes)
    map_domain_errors(app)
    app.include_router(api_conversations.router)
    app.include_router(api_actions.router)
    app.include_router(api_admin.router)
    app.include_router(api_reports.router)
    app.include_router(api_inbox.router)
    app.include_router(api_listening.router)
    app.include_router(api_audit.router)
    app.include_router(api_catalog.router)
    app.include_router(api_search.router)
    app.include_router(api_people.router)
    app.include_router(api_incidents.router)
    app.include_router(api_clusters.router)
    app.include_router(api_corrections.router)
    mount_inbox_page(app)

    @app.get("/v1/live", tags=["conversations"], response_class=StreamingResponse,
             responses={**AUTH_ERRORS, **error_responses(503, s503="Too many live clients; retry "
                                                          "after Retry-After"),
                        200: {"content": {"text/event-stream": {}},
                              "description": "`conversation` events (ConversationUpdated); "
                                             "`overflow` when the client fell behind"}})
    async def live_feed(request: Request, _: AnyUser,
                        queue: Annotated[str | None, Query(max_length=64)] = None
                        ) -> StreamingResponse:
        """Server-sent events of conversation changes, optionally of one queue."""
        live: LiveFeed = request.app.state.live
        try:
            client = live.subscribe(queue)
        except TooManyClients as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": "30"}) from exc
        return StreamingResponse(live.stream(client), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        try:
            await store.ping()
        except Exception as exc:  # any failure to reach MongoDB means not ready
            log.warning("readiness: MongoDB unreachable: %s", type(exc).__name__)
            return JSONResponse({"status": "mongodb unreachable"}, 503)
        if not request.app.state.publisher.ready():
            return JSONResponse({"status": "kafka unreachable"}, 503)
        return JSONResponse({"status": "ready"})

    return app
