"""gRPC clients of the platform gateways, one channel per target, made on first use."""

from dataclasses import dataclass

import grpc

from socialcare_contracts.gateway.v1 import gateway_pb2, gateway_pb2_grpc
from socialcare_runtime.telemetry import trace_headers

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


class GatewayClients:
    def __init__(self, targets: dict[str, str], timeout_s: float) -> None:
        self._targets = targets
        self._timeout_s = timeout_s
        self._stubs: dict[str, gateway_pb2_grpc.PlatformGatewayStub] = {}
        self._channels: list[grpc.aio.Channel] = []
        self._capabilities: dict[str, gateway_pb2.Capabilities] = {}

    def _stub(self, platform: str) -> gateway_pb2_grpc.PlatformGatewayStub:
        target = self._targets.get(platform) or self._targets.get("*")
        if target is None:
            raise GatewayError(grpc.StatusCode.FAILED_PRECONDITION,
                               f"no gateway configured for platform {platform}")
        if target not in self._stubs:
            channel = grpc.aio.insecure_channel(target)
            self._channels.append(channel)
            self._stubs[target] = gateway_pb2_grpc.PlatformGatewayStub(channel)
        return self._stubs[target]

    async def capabilities(self, platform: str) -> gateway_pb2.Capabilities:
        """The gateway's limits, asked once per platform."""
        if platform not in self._capabilities:
            self._capabilities[platform] = await self._call(
                self._stub(platform).GetCapabilities, gateway_pb2.GetCapabilitiesRequest())
        return self._capabilities[platform]

    async def send_reply(self, platform: str, request: gateway_pb2.SendReplyRequest
                         ) -> gateway_pb2.SendResult:
        return await self._call(self._stub(platform).SendReply, request)

    async def send_direct_message(self, platform: str,
                                  request: gateway_pb2.SendDirectMessageRequest
                                  ) -> gateway_pb2.SendResult:
        return await self._call(self._stub(platform).SendDirectMessage, request)

    async def _call(self, method, request):  # type: ignore[no-untyped-def]
        try:
            return await method(request, timeout=self._timeout_s,
                                metadata=tuple(trace_headers().items()))
        except grpc.aio.AioRpcError as exc:
            retry_after = None
            for key, value in exc.trailing_metadata() or ():
                if key == "retry-after-ms":
                    retry_after = int(value) / 1000
            raise GatewayError(exc.code(), exc.details() or exc.code().name,
                               retry_after) from None

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()
