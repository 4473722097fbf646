"""The X gateway: public replies (``POST /2/tweets``) and direct messages (X API v2).

Authenticates with an OAuth 2.0 user-context access token per brand account. X counts
text in weighted characters (URLs 23, CJK and emoji 2, limit 280): the capabilities say
so and the responder measures and splits by that rule; X's own 400 is the final word.
"""

from typing import Any

import grpc
import httpx

from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_gateways.dedupe import Deduper, send_once
from socialcare_gateways.errors import PlatformError
from socialcare_gateways.http_client import post_json
from socialcare_gateways.settings import X_DIRECT_MESSAGES, X_POSTS, Budget
from socialcare_text.platform_text import LIMITS

# One table of platform limits, shared with the inbox's preview (socialcare_runtime).
MAX_POST_WEIGHT = LIMITS["x"].reply
MAX_DM_LENGTH = LIMITS["x"].direct_message


class XGateway(gateway_pb2_grpc.PlatformGatewayServicer):
    def __init__(self, client: httpx.AsyncClient, base_url: str, tokens: dict[str, str],
                 posts: Budget = X_POSTS, direct_messages: Budget = X_DIRECT_MESSAGES) -> None:
        self._client = client
        self._posts, self._direct_messages = posts, direct_messages
        self._base_url = base_url.rstrip("/")
        self._tokens = tokens
        self._deduper = Deduper()

    async def SendReply(self, request: gateway_pb2.SendReplyRequest,
                        context: grpc.aio.ServicerContext) -> gateway_pb2.SendResult:
        payload: dict[str, Any] = {"text": request.text}
        if request.in_reply_to_message_id:
            payload["reply"] = {"in_reply_to_tweet_id": request.in_reply_to_message_id}
        if request.media_ids:
            payload["media"] = {"media_ids": list(request.media_ids)}

        async def post() -> gateway_pb2.SendResult:
            body = await self._post(request.brand_account, "/2/tweets", payload)
            post_id = str(body.get("data", {}).get("id", ""))
            return gateway_pb2.SendResult(
                platform_message_id=post_id,
                permalink=f"https://x.com/{request.brand_account}/status/{post_id}")

        return await send_once(context, self._deduper, request.idempotency_key,
                               request.text, post)

    async def SendDirectMessage(self, request: gateway_pb2.SendDirectMessageRequest,
                                context: grpc.aio.ServicerContext) -> gateway_pb2.SendResult:
        payload: dict[str, Any] = {"text": request.text}
        if request.media_ids:
            payload["attachments"] = [{"media_id": m} for m in request.media_ids]
        path = f"/2/dm_conversations/with/{request.recipient_id}/messages"

        async def post() -> gateway_pb2.SendResult:
            if not request.recipient_id.isdigit():
                raise PlatformError(grpc.StatusCode.INVALID_ARGUMENT,
                                    "recipient_id must be a numeric X user id")
            body = await self._post(request.brand_account, path, payload)
            return gateway_pb2.SendResult(
                platform_message_id=str(body.get("data", {}).get("dm_event_id", "")))

        return await send_once(context, self._deduper, request.idempotency_key,
                               request.text, post)

    async def GetCapabilities(self, request: gateway_pb2.GetCapabilitiesRequest,
                              context: grpc.aio.ServicerContext) -> gateway_pb2.Capabilities:
        return gateway_pb2.Capabilities(
            platform="x", max_reply_length=MAX_POST_WEIGHT,
            max_direct_message_length=MAX_DM_LENGTH, supports_direct_messages=True,
            supports_attachments=True, length_counting="weighted",
            requests_per_window=self._posts.requests, window_seconds=self._posts.window_s,
            direct_messages_per_window=self._direct_messages.requests,
            direct_message_window_seconds=self._direct_messages.window_s)

    async def _post(self, brand: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        token = self._tokens.get(brand)
        if token is None:
            raise PlatformError(grpc.StatusCode.FAILED_PRECONDITION,
                                f"no X credentials configured for brand account {brand}")
        body = await post_json(self._client, self._base_url + path, payload,
                               {"Authorization": f"Bearer {token}"})
        if "data" not in body:
            raise PlatformError(grpc.StatusCode.UNAVAILABLE, "X answered without data")
        return body
