"""gRPC clients of the platform gateways, one channel per target, made on first use."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc

from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_runtime.metrics import service_metrics
from socialcare_runtime.telemetry import trace_headers

log = logging.getLogger(__name__)

# Codes a later attempt can fix; everything else is the reply's own problem.
TRANSIENT_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                             grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ABORTED})


@dataclass(frozen=True)
class GatewayError(Exception):
    code: grpc.StatusCode
    detail: str
    retry_after_s: float | None = None

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT_CODES


def channel_credentials(ca_file: str | None, cert_file: str | None = None,
                        key_file: str | None = None) -> grpc.ChannelCredentials | None:
    """TLS to the gateways when a CA is configured; a client certificate makes it mutual."""
    if not ca_file:
        if cert_file or key_file:
            raise ValueError("a client certificate needs the gateways' CA as well")
        return None
    if bool(cert_file) != bool(key_file):
        raise ValueError("mTLS needs both a client certificate and its key")
    return grpc.ssl_channel_credentials(
        root_certificates=Path(ca_file).read_bytes(),
        private_key=Path(key_file).read_bytes() if key_file else None,
        certificate_chain=Path(cert_file).read_bytes() if cert_file else None)


class GatewayClients:
    def __init__(self, targets: dict[str, str], timeout_s: float,
                 credentials: grpc.ChannelCredentials | None = None,
                 capabilities_ttl_s: float = 300.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._targets = targets
        self._timeout_s = timeout_s
        self._credentials = credentials
        self._stubs: dict[str, gateway_pb2_grpc.PlatformGatewayStub] = {}
        self._channels: list[grpc.aio.Channel] = []
        self._capabilities: dict[str, tuple[float, gateway_pb2.Capabilities]] = {}
        self._capabilities_ttl_s = capabilities_ttl_s
        self._monotonic = monotonic

    def _stub(self, platform: str) -> gateway_pb2_grpc.PlatformGatewayStub:
        target = self._targets.get(platform) or self._targets.get("*")
        if target is None:
            raise GatewayError(grpc.StatusCode.FAILED_PRECONDITION,
                               f"no gateway configured for platform {platform}")
        if target not in self._stubs:
            channel = grpc.aio.secure_channel(target, self._credentials) \
                if self._credentials else grpc.aio.insecure_channel(target)
            self._channels.append(channel)
            self._stubs[target] = gateway_pb2_grpc.PlatformGatewayStub(channel)
        return self._stubs[target]

    async def capabilities(self, platform: str) -> gateway_pb2.Capabilities:
        """The gateway's limits, asked again once they are ``capabilities_ttl_s`` old."""
        now = self._monotonic()
        cached = self._capabilities.get(platform)
        if cached is not None and now - cached[0] < self._capabilities_ttl_s:
            return cached[1]
        try:
            caps = await self._call(platform, self._stub(platform).GetCapabilities,
                                    gateway_pb2.GetCapabilitiesRequest())
        except GatewayError as exc:
            if cached is None:
                raise
            # The last known limits beat none; the send itself will meet the outage.
            log.warning("capabilities of %s not refreshed (%s)", platform, exc.code.name)
            return cached[1]
        self._capabilities[platform] = (now, caps)
        return caps

    async def send_reply(self, platform: str, request: gateway_pb2.SendReplyRequest
                         ) -> gateway_pb2.SendResult:
        return await self._call(platform, self._stub(platform).SendReply, request)

    async def send_direct_message(self, platform: str,
                                  request: gateway_pb2.SendDirectMessageRequest
                                  ) -> gateway_pb2.SendResult:
        return await self._call(platform, self._stub(platform).SendDirectMessage, request)

    async def _call(self, platform, method, request):  # type: ignore[no-untyped-def]
        try:
            return await method(request, timeout=self._timeout_s,
                                metadata=tuple(trace_headers().items()))
        except grpc.aio.AioRpcError as exc:
            service_metrics().gateway_error(platform, exc.code().name.lower())
            retry_after = None
            for key, value in exc.trailing_metadata() or ():
                if key == "retry-after-ms":
                    retry_after = int(value) / 1000
            raise GatewayError(exc.code(), exc.details() or exc.code().name,
                               retry_after) from None

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
