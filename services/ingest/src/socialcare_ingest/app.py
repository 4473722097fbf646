"""The ingest HTTP API: the API channel, platform webhooks, listening rules and health."""

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from opentelemetry import trace
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_contracts.messages import NormalizedMessage
from socialcare_ingest.delivery import FrontDoor, Unavailable, server_span
from socialcare_ingest.hot_paths import HotPaths, post_endpoints
from socialcare_ingest.instagram_mentions import MentionLookup
from socialcare_ingest.intake import RejectedInput, parse_messages
from socialcare_ingest.listening.api import listening_routes
from socialcare_ingest.listening.store import ListeningStore
from socialcare_ingest.settings import IngestSettings
from socialcare_ingest.webhooks import HOT_WEBHOOK_PATHS, webhook_routes
from socialcare_runtime.api_docs import serve_api_docs
from socialcare_runtime.http import BodySizeLimit, find_by_secret
from socialcare_runtime.http_errors import allow_every_method, error_responses
from socialcare_runtime.publisher import EventPublisher


class AcceptedMessage(BaseModel):
    event_id: str
    platform_message_id: str


class Accepted(BaseModel):
    accepted: list[AcceptedMessage]


def create_app(settings: IngestSettings, connect: Callable[[], EventPublisher],
               tracer: trace.Tracer, database: AsyncDatabase | None = None) -> FastAPI:
    """Builds the app; ``connect`` makes the Kafka publisher when the app starts.

    Without ``database`` the listening-rules API is not served.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.meta_graph_timeout_s) as graph:
            app.state.mentions = MentionLookup(graph, settings.meta_graph_base_url,
                                               settings.instagram_access_tokens)
            app.state.publisher = connect()
            # Everything loaded at start-up lives as long as the process: frozen, full
            # collections stop walking it (they paused deliveries for 100+ ms under load).
            gc.freeze()
            yield
            app.state.publisher.close()

    app = FastAPI(title="SocialCare ingest", version="1", lifespan=lifespan,
                  description="Front door for customer messages from every platform.")
    serve_api_docs(app)
    allow_every_method(app)
    door = FrontDoor(settings)
    webhooks = webhook_routes(settings, door, tracer)
    app.include_router(webhooks)
    # Added first, so the body-size limit (added after it, outside) covers it too.
    app.add_middleware(HotPaths, endpoints=post_endpoints(webhooks, HOT_WEBHOOK_PATHS))
    app.add_middleware(BodySizeLimit, max_bytes=settings.ingest_max_body_bytes)
    if database is not None:
        app.include_router(listening_routes(settings, ListeningStore(database)))

    def source(x_api_key: Annotated[str | None, Header()] = None) -> str:
        found = find_by_secret(x_api_key, {k: s for s, k in settings.ingest_api_keys.items()})
        if found is None:
            raise HTTPException(401, "missing or unknown X-API-Key",
                                headers={"WWW-Authenticate": "ApiKey"})
        return found

    @app.post(
        "/v1/messages", status_code=202, response_model=Accepted,
        responses=error_responses(400, 401, 413, 422, 429, 503,
                                  s401="Missing or unknown X-API-Key"),
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"oneOf": [
                {"$ref": "#/components/schemas/NormalizedMessage"},
                {"type": "object", "required": ["messages"], "additionalProperties": False,
                 "properties": {"messages": {
                     "type": "array", "items": {"$ref": "#/components/schemas/NormalizedMessage"},
                     "minItems": 1, "maxItems": settings.ingest_max_batch}}},
            ]}}}}},
    )
    async def post_messages(request: Request,
                            source_name: Annotated[str, Depends(source)]) -> Any:
        """Accepts one message or a batch; 202 once Kafka has acknowledged every one."""
        with server_span(tracer, "ingest api message", request) as span:
            if (limited := door.throttled(f"api:{source_name}")) is not None:
                return limited
            try:
                messages = parse_messages(await request.body(), settings.ingest_max_batch)
            except RejectedInput as exc:
                return JSONResponse({"detail": exc.detail}, status_code=exc.status)
            span.set_attribute("socialcare.batch_size", len(messages))
            try:
                ids = await door.publish(request.app.state.publisher, messages, source_name)
            except Unavailable as exc:
                return exc.response
            return Accepted(accepted=[
                AcceptedMessage(event_id=i, platform_message_id=m.platform_message_id)
                for i, m in zip(ids, messages, strict=True)])

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        ready = request.app.state.publisher.ready()
        return JSONResponse({"status": "ready" if ready else "kafka unreachable"},
                            status_code=200 if ready else 503)

    # Publish the message schema under its own name so the oneOf above can reference it.
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            defs = NormalizedMessage.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(defs.pop("$defs", {}))
            components["NormalizedMessage"] = defs
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
