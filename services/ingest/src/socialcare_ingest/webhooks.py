"""Platform webhooks: X Account Activity and Meta (Facebook Page, Messenger, Instagram)."""

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from opentelemetry import trace
from pydantic import BaseModel, Field

from socialcare_contracts.messages import NormalizedMessage
from socialcare_ingest.adapters import Rejected, meta, x
from socialcare_ingest.delivery import FrontDoor, Unavailable, server_span
from socialcare_ingest.domain import signatures
from socialcare_ingest.instagram_mentions import LookupUnavailable
from socialcare_ingest.intake import RejectedInput, parse_json
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.http_errors import error_responses

log = logging.getLogger(__name__)


class Delivered(BaseModel):
    accepted: int = Field(description="Customer messages published (others in the delivery "
                                      "are the brand's own or events not handled)")
    event_ids: list[str]

HOT_WEBHOOK_PATHS = frozenset({"/webhooks/x", "/webhooks/meta"})  # see hot_paths
Adapter = Callable[[Any], Awaitable[list[NormalizedMessage]]]
RESPONSES = {200: {"model": Delivered, "description": "Every customer message in the "
                                                    "delivery is in Kafka"},
             **error_responses(400, 401, 413, 429, 503,
                               s400="Malformed, unknown or stale delivery",
                               s401="Signature missing or wrong")}


def signed_by(header: str) -> dict[str, Any]:
    """The signature header and the body in the OpenAPI document (handlers read both
    themselves: the signature covers the raw bytes)."""
    return {"parameters": [{"name": header, "in": "header", "required": False,
                            "schema": {"type": "string"},
                            "description": "HMAC-SHA256 of the body with the app secret"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "description": "The platform's delivery as it signed it: "
                                                 "checked before it is read"}}}}}


def webhook_routes(settings: IngestSettings, door: FrontDoor,
                   tracer: trace.Tracer) -> APIRouter:
    """The webhook endpoints; every delivery is verified before it is read."""
    router = APIRouter(prefix="/webhooks", tags=["webhooks"])

    async def deliver(request: Request, source: str, signed: bool,
                      adapter: Adapter) -> JSONResponse:
        with server_span(tracer, f"ingest {source} webhook", request) as span:
            if not signed:
                return JSONResponse({"detail": "missing or invalid signature"}, status_code=401)
            if (limited := door.throttled(source)) is not None:
                return limited
            try:
                messages = await adapter(parse_json(await request.body()))
            except RejectedInput as exc:
                return JSONResponse({"detail": exc.detail}, status_code=exc.status)
            except Rejected as exc:
                return JSONResponse({"detail": str(exc)}, status_code=400)
            except LookupUnavailable as exc:
                log.warning("%s delivery deferred: %s", source, exc)
                return door.unavailable("platform lookup unavailable")
            fresh = door.fresh(messages)
            if messages and not fresh:
                return JSONResponse({"detail": "delivery is older than "
                                     f"{settings.ingest_max_delivery_age_s}s"}, status_code=400)
            span.set_attribute("socialcare.batch_size", len(fresh))
            try:
                ids = await door.publish(request.app.state.publisher, fresh, source) \
                    if fresh else []
            except Unavailable as exc:
                return exc.response
            return JSONResponse({"accepted": len(ids), "event_ids": ids})

    @router.get("/x", summary="X CRC challenge", responses=error_responses(422))
    async def x_crc(crc_token: Annotated[str, Query(min_length=1, max_length=512)]
                    ) -> dict[str, str]:
        """Answers X's challenge-response check with the current consumer secret."""
        return {"response_token": signatures.x_crc_response(settings.x_consumer_secrets[0],
                                                            crc_token)}

    @router.post("/x", summary="X Account Activity delivery", responses=RESPONSES,
                 openapi_extra=signed_by("x-twitter-webhooks-signature"))
    async def x_events(request: Request) -> JSONResponse:
        """Tweets mentioning or replying to a brand account, and DMs to it."""
        signed = signatures.x_signature_valid(
            await request.body(), request.headers.get("x-twitter-webhooks-signature"),
            settings.x_consumer_secrets)

        async def messages(body: Any) -> list[NormalizedMessage]:
            return x.account_activity(body, settings.x_accounts)

        return await deliver(request, "x", signed, messages)

    @router.get("/meta", summary="Meta subscription handshake", response_model=None,
                responses={200: {"description": "The challenge, echoed",
                                 "content": {"text/plain": {"schema": {"type": "string"}}}},
                           403: {"description": "Not subscribing, or not our verify token",
                                 "content": {"text/plain": {"schema": {"type": "string"}}}},
                           **error_responses(422)})
    async def meta_verify(mode: Annotated[str | None, Query(alias="hub.mode", max_length=32)]
                          = None,
                          token: Annotated[str | None, Query(alias="hub.verify_token",
                                                             max_length=512)] = None,
                          challenge: Annotated[str | None, Query(alias="hub.challenge",
                                                                 max_length=512)] = None,
                          ) -> PlainTextResponse:
        """Echoes ``hub.challenge`` when the verify token is ours."""
        if mode != "subscribe" or not challenge or not signatures.meta_verify_token_valid(
                token, settings.meta_verify_tokens):
            return PlainTextResponse("verification failed", status_code=403)
        return PlainTextResponse(challenge)

    @router.post("/meta", summary="Meta webhook delivery", responses=RESPONSES,
                 openapi_extra=signed_by("x-hub-signature-256"))
    async def meta_events(request: Request) -> JSONResponse:
        """Page feed posts and comments, Messenger, Instagram comments, mentions and DMs."""
        signed = signatures.meta_signature_valid(
            await request.body(), request.headers.get("x-hub-signature-256"),
            settings.meta_app_secrets)

        async def messages(body: Any) -> list[NormalizedMessage]:
            refs = meta.mention_refs(body)
            found = await request.app.state.mentions.fetch(refs) if refs else {}
            return meta.webhook(body, settings.meta_webhook_accounts, found)

        return await deliver(request, "meta", signed, messages)

    return router
