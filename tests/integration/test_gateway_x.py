"""The X gateway against a local server that answers as X API v2 does."""

import time
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest

from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_gateways.x import XGateway
from tests.fakes.platform_server import X_TOKEN, FakePlatform, Fault, running_gateway

pytestmark = pytest.mark.integration


@pytest.fixture
async def x(platform: FakePlatform) -> AsyncIterator[gateway_pb2_grpc.PlatformGatewayStub]:
    async with httpx.AsyncClient(timeout=0.5) as client:
        gateway = XGateway(client, platform.base_url, {"acme": X_TOKEN, "revoked": "old"})
        async with running_gateway(gateway) as stub:
            yield stub


def reply(key: str = "r1", brand: str = "acme", text: str = "We're on it ^JJ",
          media: tuple[str, ...] = ()) -> gateway_pb2.SendReplyRequest:
    return gateway_pb2.SendReplyRequest(idempotency_key=key, brand_account=brand,
                                        in_reply_to_message_id="1850", text=text,
                                        media_ids=list(media))


async def error_of(call) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def test_reply_posts_the_documented_body_and_returns_id_and_permalink(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    result = await x.SendReply(reply(media=("77",)))

    [call] = platform.calls_to("^/2/tweets$")
    assert call.json == {"text": "We're on it ^JJ", "reply": {"in_reply_to_tweet_id": "1850"},
                         "media": {"media_ids": ["77"]}}
    assert call.authorization == f"Bearer {X_TOKEN}"
    assert result.platform_message_id.isdigit()
    assert result.permalink == f"https://x.com/acme/status/{result.platform_message_id}"


async def test_same_key_posts_once(x: gateway_pb2_grpc.PlatformGatewayStub,
                                   platform: FakePlatform) -> None:
    first = await x.SendReply(reply())
    second = await x.SendReply(reply())

    assert len(platform.calls) == 1
    assert second.duplicate and second.platform_message_id == first.platform_message_id


async def test_direct_message_uses_the_v2_conversation_endpoint(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    result = await x.SendDirectMessage(gateway_pb2.SendDirectMessageRequest(
        idempotency_key="d1", brand_account="acme", recipient_id="42", text="DM us"))

    [call] = platform.calls_to("^/2/dm_conversations/with/42/messages$")
    assert call.json == {"text": "DM us"}
    assert result.platform_message_id


async def test_capabilities_say_weighted_280(x: gateway_pb2_grpc.PlatformGatewayStub) -> None:
    caps = await x.GetCapabilities(gateway_pb2.GetCapabilitiesRequest())
    assert (caps.max_reply_length, caps.length_counting) == (280, "weighted")
    assert caps.supports_direct_messages and caps.requests_per_window > 0


@pytest.mark.parametrize(("status", "code"), [
    (400, grpc.StatusCode.INVALID_ARGUMENT),
    (403, grpc.StatusCode.PERMISSION_DENIED),
    (404, grpc.StatusCode.NOT_FOUND),
    (500, grpc.StatusCode.UNAVAILABLE),
    (503, grpc.StatusCode.UNAVAILABLE),
])
async def test_platform_errors_map_to_status_codes_with_the_platform_detail(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform,
        status: int, code: grpc.StatusCode) -> None:
    platform.fail(Fault("^/2/tweets$", status, {"title": "Forbidden", "detail": "no can do",
                                                "status": status}))
    error = await error_of(x.SendReply(reply()))
    assert error.code() == code
    assert "no can do" in error.details()


async def test_a_failed_send_is_not_remembered_so_a_retry_posts(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    platform.fail(Fault("^/2/tweets$", 503, {"title": "Service Unavailable"}))
    await error_of(x.SendReply(reply()))
    result = await x.SendReply(reply())
    assert len(platform.calls) == 2 and not result.duplicate


async def test_unknown_token_is_unauthenticated(x: gateway_pb2_grpc.PlatformGatewayStub) -> None:
    error = await error_of(x.SendReply(reply(brand="revoked")))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_unconfigured_brand_fails_without_calling_x(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    error = await error_of(x.SendReply(reply(brand="nobody")))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "nobody" in error.details() and platform.calls == []


async def test_rate_limit_carries_retry_after_from_the_reset_epoch(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    reset = int(time.time()) + 30
    platform.fail(Fault("^/2/tweets$", 429, {"title": "Too Many Requests"},
                        {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                         "x-rate-limit-reset": str(reset)}))
    error = await error_of(x.SendReply(reply()))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    retry_ms = int(dict(error.trailing_metadata())["retry-after-ms"])
    assert 28_000 <= retry_ms <= 31_000


async def test_a_platform_slower_than_the_deadline_is_unavailable(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    platform.fail(Fault("^/2/tweets$", 201, {"data": {"id": "1"}}, delay_s=2.0))
    error = await error_of(x.SendReply(reply()))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert "timed out" in error.details()


async def test_empty_text_and_missing_key_are_refused_before_calling_x(
        x: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    assert (await error_of(x.SendReply(reply(text="  ")))).code() == \
        grpc.StatusCode.INVALID_ARGUMENT
    assert (await error_of(x.SendReply(reply(key="")))).code() == \
        grpc.StatusCode.INVALID_ARGUMENT
    assert platform.calls == []
