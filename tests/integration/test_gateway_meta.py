"""The Meta gateway against a local server that answers as the Graph API does."""

from collections.abc import AsyncIterator

import grpc
import httpx
import pytest

from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_gateways.meta import MetaGateway
from socialcare_gateways.settings import MetaAccount
from tests.fakes.platform_server import (
    META_IG_USER_ID,
    META_PAGE_ID,
    META_TOKEN,
    FakePlatform,
    Fault,
    graph_error_body,
    running_gateway,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def meta(platform: FakePlatform) -> AsyncIterator[gateway_pb2_grpc.PlatformGatewayStub]:
    accounts = {
        "acme": MetaAccount(page_id=META_PAGE_ID, access_token=META_TOKEN,
                            instagram_user_id=META_IG_USER_ID),
        "expired": MetaAccount(page_id=META_PAGE_ID, access_token="stale"),
    }
    async with httpx.AsyncClient(timeout=0.5) as client:
        gateway = MetaGateway(client, f"{platform.base_url}/v21.0", accounts)
        async with running_gateway(gateway) as stub:
            yield stub


def reply(platform: str = "facebook", target: str = "55_66", key: str = "r1",
          brand: str = "acme") -> gateway_pb2.SendReplyRequest:
    return gateway_pb2.SendReplyRequest(idempotency_key=key, brand_account=brand,
                                        in_reply_to_message_id=target, text="Thanks ^JJ",
                                        platform=platform)


def dm(platform: str = "facebook",
       recipient: str = "psid-1") -> gateway_pb2.SendDirectMessageRequest:
    return gateway_pb2.SendDirectMessageRequest(idempotency_key="d1", brand_account="acme",
                                                recipient_id=recipient, text="Hi there",
                                                platform=platform)


async def error_of(call) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def test_facebook_comment_reply(meta: gateway_pb2_grpc.PlatformGatewayStub,
                                      platform: FakePlatform) -> None:
    result = await meta.SendReply(reply())
    [call] = platform.calls_to("^/v21.0/55_66/comments$")
    assert call.json == {"message": "Thanks ^JJ"}
    assert call.authorization == f"Bearer {META_TOKEN}"
    assert result.permalink == f"https://www.facebook.com/{result.platform_message_id}"


async def test_page_post_when_there_is_nothing_to_reply_to(
        meta: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    await meta.SendReply(reply(target=""))
    assert len(platform.calls_to(f"^/v21.0/{META_PAGE_ID}/feed$")) == 1


async def test_instagram_comment_reply(meta: gateway_pb2_grpc.PlatformGatewayStub,
                                       platform: FakePlatform) -> None:
    result = await meta.SendReply(reply(platform="instagram", target="1789"))
    assert len(platform.calls_to("^/v21.0/1789/replies$")) == 1
    assert result.platform_message_id


async def test_messenger_message_inside_the_window(meta: gateway_pb2_grpc.PlatformGatewayStub,
                                                   platform: FakePlatform) -> None:
    platform.open_windows.add("psid-1")
    result = await meta.SendDirectMessage(dm())
    [call] = platform.calls_to(f"^/v21.0/{META_PAGE_ID}/messages$")
    assert call.json == {"recipient": {"id": "psid-1"}, "messaging_type": "RESPONSE",
                         "message": {"text": "Hi there"}}
    assert result.platform_message_id.startswith("m_")


async def test_instagram_dm_is_sent_from_the_instagram_account(
        meta: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    platform.open_windows.add("igsid-9")
    await meta.SendDirectMessage(dm(platform="instagram", recipient="igsid-9"))
    assert len(platform.calls_to(f"^/v21.0/{META_IG_USER_ID}/messages$")) == 1


async def test_closed_messaging_window_is_permission_denied_with_a_reason(
        meta: gateway_pb2_grpc.PlatformGatewayStub) -> None:
    error = await error_of(meta.SendDirectMessage(dm(recipient="psid-old")))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "messaging window closed" in error.details()


async def test_expired_page_token_is_unauthenticated(
        meta: gateway_pb2_grpc.PlatformGatewayStub) -> None:
    error = await error_of(meta.SendReply(reply(brand="expired")))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(("status", "code", "expected"), [
    (403, 200, grpc.StatusCode.PERMISSION_DENIED),   # missing pages_manage_engagement
    (400, 10, grpc.StatusCode.PERMISSION_DENIED),
    (400, 100, grpc.StatusCode.INVALID_ARGUMENT),    # invalid parameter
    (404, 803, grpc.StatusCode.NOT_FOUND),           # unknown object
    (500, 2, grpc.StatusCode.UNAVAILABLE),           # temporary service error
    (503, 1, grpc.StatusCode.UNAVAILABLE),
])
async def test_graph_errors_map_by_code(meta: gateway_pb2_grpc.PlatformGatewayStub,
                                        platform: FakePlatform, status: int, code: int,
                                        expected: grpc.StatusCode) -> None:
    platform.fail(Fault("/comments$", status, graph_error_body(code, f"(#{code}) nope")))
    error = await error_of(meta.SendReply(reply()))
    assert error.code() == expected
    assert f"(#{code}) nope" in error.details()


async def test_throttling_carries_retry_after(meta: gateway_pb2_grpc.PlatformGatewayStub,
                                              platform: FakePlatform) -> None:
    platform.fail(Fault("/comments$", 400, graph_error_body(32, "Page request limit reached"),
                        {"Retry-After": "12"}))
    error = await error_of(meta.SendReply(reply()))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert dict(error.trailing_metadata())["retry-after-ms"] == "12000"


async def test_business_use_case_header_gives_the_wait(
        meta: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    usage = '{"1000": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 3}]}'
    platform.fail(Fault("/comments$", 400, graph_error_body(80001, "Too many calls"),
                        {"X-Business-Use-Case-Usage": usage}))
    error = await error_of(meta.SendReply(reply()))
    assert dict(error.trailing_metadata())["retry-after-ms"] == "180000"


async def test_timeout_is_unavailable_and_same_key_posts_once(
        meta: gateway_pb2_grpc.PlatformGatewayStub, platform: FakePlatform) -> None:
    platform.fail(Fault("/comments$", 200, {"id": "x"}, delay_s=2.0))
    assert (await error_of(meta.SendReply(reply()))).code() == grpc.StatusCode.UNAVAILABLE
    first = await meta.SendReply(reply())
    again = await meta.SendReply(reply())
    assert again.duplicate and again.platform_message_id == first.platform_message_id
    assert len(platform.calls) == 2


async def test_instagram_dm_without_linked_account_fails_clearly(
        platform: FakePlatform) -> None:
    accounts = {"acme": MetaAccount(page_id=META_PAGE_ID, access_token=META_TOKEN)}
    async with httpx.AsyncClient(timeout=0.5) as client, running_gateway(
            MetaGateway(client, f"{platform.base_url}/v21.0", accounts)) as stub:
        error = await error_of(stub.SendDirectMessage(dm(platform="instagram")))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert platform.calls == []
