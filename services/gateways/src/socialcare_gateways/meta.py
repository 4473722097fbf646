"""The Meta gateway: Facebook and Instagram through the Graph API, one page token per brand.

Public replies: Facebook comment replies (``POST /{comment-id}/comments``), Page posts
(``POST /{page-id}/feed`` when there is nothing to reply to) and Instagram comment replies
(``POST /{ig-comment-id}/replies``). Direct messages: Messenger and Instagram through
``POST /{page-id|ig-user-id}/messages`` with messaging_type RESPONSE, which Meta accepts
only inside the 24-hour messaging window.
"""

import json
from typing import Any

import grpc
import httpx

from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_gateways.dedupe import Deduper, send_once
from socialcare_gateways.errors import PlatformError, retry_after_ms_from
from socialcare_gateways.http_client import default_error, post_json
from socialcare_gateways.settings import META_PAGE, Budget, MetaAccount
from socialcare_text.platform_text import LIMITS

# One table of platform limits, shared with the inbox's preview (socialcare_runtime).
MAX_COMMENT_LENGTH = LIMITS["facebook"].reply
MAX_MESSAGE_LENGTH = LIMITS["facebook"].direct_message
# Graph API error codes that say more than the HTTP status (always 400 or 403 from Meta).
THROTTLED = frozenset({4, 17, 32, 613, 80001, 80002, 80006})
PERMISSION = frozenset({3, 10, 200, 299})
EXPIRED_TOKEN, TRANSIENT, UNKNOWN = 190, 2, 1
WINDOW_CLOSED_SUBCODES = frozenset({2018278, 2534022})
DEFAULT_THROTTLE_MS = 60_000


def graph_error(response: httpx.Response) -> PlatformError:
    """Maps a Graph API error body (code, error_subcode) to a status an agent can act on."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict) or "code" not in error:
        return default_error(response)
    code, subcode = error.get("code"), error.get("error_subcode")
    message = str(error.get("message", ""))[:300]
    if subcode in WINDOW_CLOSED_SUBCODES or (code == 10 and subcode == 2018278):
        return PlatformError(grpc.StatusCode.PERMISSION_DENIED,
                             "messaging window closed: the customer last wrote over 24 hours "
                             "ago; reply publicly or wait for them to write")
    if code in THROTTLED or response.status_code == 429:
        retry = retry_after_ms_from(dict(response.headers)) or _usage_retry_ms(response)
        return PlatformError(grpc.StatusCode.RESOURCE_EXHAUSTED,
                             f"Meta rate limit (code {code})", retry or DEFAULT_THROTTLE_MS)
    if code == EXPIRED_TOKEN:
        return PlatformError(grpc.StatusCode.UNAUTHENTICATED,
                             f"page access token rejected: {message}")
    if code in PERMISSION:
        return PlatformError(grpc.StatusCode.PERMISSION_DENIED, f"missing permission: {message}")
    if code in (TRANSIENT, UNKNOWN) or error.get("is_transient"):
        return PlatformError(grpc.StatusCode.UNAVAILABLE, f"Meta temporarily failed: {message}")
    mapped = default_error(response)
    return PlatformError(mapped.code, f"Meta error {code}: {message}", mapped.retry_after_ms)


def _usage_retry_ms(response: httpx.Response) -> int | None:
    """Meta's business-use-case header says minutes until access returns."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = max(int(entry.get("estimated_time_to_regain_access", 0))
                      for entries in usage.values() for entry in entries)
    except (ValueError, TypeError, AttributeError):
        return None
    return minutes * 60_000 if minutes else None


class MetaGateway(gateway_pb2_grpc.PlatformGatewayServicer):
    def __init__(self, client: httpx.AsyncClient, base_url: str,
                 accounts: dict[str, MetaAccount], budget: Budget = META_PAGE) -> None:
        self._client = client
        self._budget = budget
        self._base_url = base_url.rstrip("/")
        self._accounts = accounts
        self._deduper = Deduper()

    async def SendReply(self, request: gateway_pb2.SendReplyRequest,
                        context: grpc.aio.ServicerContext) -> gateway_pb2.SendResult:
        async def post() -> gateway_pb2.SendResult:
            account = self._account(request.brand_account)
            payload: dict[str, Any] = {"message": request.text}
            target = request.in_reply_to_message_id
            if request.platform == "instagram":
                if not target:
                    raise PlatformError(grpc.StatusCode.INVALID_ARGUMENT,
                                        "an Instagram reply needs the comment it answers")
                path = f"/{target}/replies"
            elif target:
                path = f"/{target}/comments"
                if request.media_ids:
                    payload["attachment_id"] = request.media_ids[0]
            else:
                path = f"/{account.page_id}/feed"
            body = await self._post(account, path, payload)
            object_id = str(body.get("id", ""))
            permalink = f"https://www.facebook.com/{object_id}" \
                if request.platform != "instagram" and object_id else ""
            return gateway_pb2.SendResult(platform_message_id=object_id, permalink=permalink)

        return await send_once(context, self._deduper, request.idempotency_key,
                               request.text, post)

    async def SendDirectMessage(self, request: gateway_pb2.SendDirectMessageRequest,
                                context: grpc.aio.ServicerContext) -> gateway_pb2.SendResult:
        async def post() -> gateway_pb2.SendResult:
            account = self._account(request.brand_account)
            sender = account.page_id
            if request.platform == "instagram":
                if not account.instagram_user_id:
                    raise PlatformError(grpc.StatusCode.FAILED_PRECONDITION,
                                        f"no Instagram account linked to {request.brand_account}")
                sender = account.instagram_user_id
            payload = {"recipient": {"id": request.recipient_id}, "messaging_type": "RESPONSE",
                       "message": {"text": request.text}}
            body = await self._post(account, f"/{sender}/messages", payload)
            return gateway_pb2.SendResult(platform_message_id=str(body.get("message_id", "")))

        return await send_once(context, self._deduper, request.idempotency_key,
                               request.text, post)

    async def GetCapabilities(self, request: gateway_pb2.GetCapabilitiesRequest,
                              context: grpc.aio.ServicerContext) -> gateway_pb2.Capabilities:
        return gateway_pb2.Capabilities(
            platform="meta", max_reply_length=MAX_COMMENT_LENGTH,
            max_direct_message_length=MAX_MESSAGE_LENGTH, supports_direct_messages=True,
            supports_attachments=True, length_counting="codepoints",
            # Direct messages are page calls too: one budget for both.
            requests_per_window=self._budget.requests, window_seconds=self._budget.window_s)

    def _account(self, brand: str) -> MetaAccount:
        account = self._accounts.get(brand)
        if account is None:
            raise PlatformError(grpc.StatusCode.FAILED_PRECONDITION,
                                f"no Meta page configured for brand account {brand}")
        return account

    async def _post(self, account: MetaAccount, path: str,
                    payload: dict[str, Any]) -> dict[str, Any]:
        # The token goes in the Authorization header, never the URL (URLs end up in logs).
        headers = {"Authorization": f"Bearer {account.access_token.get_secret_value()}"}
        return await post_json(self._client, self._base_url + path, payload, headers,
                               on_error=graph_error)
