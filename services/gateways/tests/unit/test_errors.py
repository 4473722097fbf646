import asyncio

import grpc
import httpx
import pytest

from socialcare_contracts.gateway.v1 import gateway_pb2
from socialcare_gateways.dedupe import Deduper
from socialcare_gateways.errors import PlatformError, retry_after_ms_from, status_for_http
from socialcare_gateways.http_client import default_error
from socialcare_gateways.meta import graph_error

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("status", "code"), [
    (400, grpc.StatusCode.INVALID_ARGUMENT), (401, grpc.StatusCode.UNAUTHENTICATED),
    (403, grpc.StatusCode.PERMISSION_DENIED), (404, grpc.StatusCode.NOT_FOUND),
    (429, grpc.StatusCode.RESOURCE_EXHAUSTED), (500, grpc.StatusCode.UNAVAILABLE),
    (502, grpc.StatusCode.UNAVAILABLE), (504, grpc.StatusCode.UNAVAILABLE),
])
def test_http_status_mapping(status: int, code: grpc.StatusCode) -> None:
    assert status_for_http(status) == code


def test_retry_after_from_x_reset_epoch_and_retry_after_header() -> None:
    assert retry_after_ms_from({"x-rate-limit-reset": "1030"}, now=1000.5) == 29_500
    assert retry_after_ms_from({"x-rate-limit-reset": "900"}, now=1000) == 0
    assert retry_after_ms_from({"retry-after": "2.5"}, now=0) == 2_500
    assert retry_after_ms_from({"retry-after": "soon"}, now=0) is None
    assert retry_after_ms_from({}, now=0) is None


def test_x_problem_detail_becomes_the_status_detail() -> None:
    error = default_error(httpx.Response(403, json={
        "title": "Forbidden", "detail": "You are not permitted to reply to this post."}))
    assert error.code == grpc.StatusCode.PERMISSION_DENIED
    assert "not permitted to reply" in error.detail


def test_graph_window_closed_is_permission_denied() -> None:
    error = graph_error(httpx.Response(400, json={"error": {
        "message": "(#10) outside of allowed window", "code": 10, "error_subcode": 2018278}}))
    assert error.code == grpc.StatusCode.PERMISSION_DENIED
    assert error.detail.startswith("messaging window closed")


def test_graph_throttle_without_hints_waits_a_default_minute() -> None:
    error = graph_error(httpx.Response(400, json={"error": {"message": "x", "code": 4}}))
    assert (error.code, error.retry_after_ms) == (grpc.StatusCode.RESOURCE_EXHAUSTED, 60_000)


def test_non_graph_body_falls_back_to_the_http_status() -> None:
    assert graph_error(httpx.Response(502, text="bad gateway")).code == \
        grpc.StatusCode.UNAVAILABLE


async def test_deduper_runs_concurrent_sends_with_one_key_once() -> None:
    calls = 0
    release = asyncio.Event()

    async def send() -> gateway_pb2.SendResult:
        nonlocal calls
        calls += 1
        await release.wait()  # still in flight while the other four arrive
        return gateway_pb2.SendResult(platform_message_id="p1")

    deduper = Deduper()
    sends = asyncio.gather(*(deduper.once("k", send) for _ in range(5)))
    await asyncio.sleep(0)  # every send has started: the first is waiting for release
    release.set()
    results = await sends
    assert calls == 1
    assert {r.platform_message_id for r in results} == {"p1"}
    assert sum(r.duplicate for r in results) == 4


async def test_deduper_forgets_failures_and_bounds_its_memory() -> None:
    deduper = Deduper(max_keys=2)

    async def fail() -> gateway_pb2.SendResult:
        raise PlatformError(grpc.StatusCode.UNAVAILABLE, "down")

    with pytest.raises(PlatformError):
        await deduper.once("k", fail)

    async def ok() -> gateway_pb2.SendResult:
        return gateway_pb2.SendResult(platform_message_id="p")

    assert not (await deduper.once("k", ok)).duplicate
    for key in ("a", "b"):
        await deduper.once(key, ok)
    assert not (await deduper.once("k", ok)).duplicate  # evicted, oldest first
