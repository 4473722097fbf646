"""Entrypoint: ``python -m socialcare_gateways sandbox``."""

import argparse
import asyncio
import logging
import signal

from socialcare_contracts.gateway.v1 import gateway_pb2_grpc, sandbox_pb2_grpc
from socialcare_gateways.sandbox import SandboxGateway
from socialcare_gateways.server import start_server
from socialcare_gateways.settings import GatewaySettings
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.telemetry import setup_telemetry

log = logging.getLogger(__name__)


async def serve_sandbox(settings: GatewaySettings) -> None:
    """Runs the sandbox gateway until SIGTERM or SIGINT."""
    telemetry = setup_telemetry("socialcare-gateway-sandbox")
    gateway = SandboxGateway(telemetry.tracer)
    address = f"{settings.host}:{settings.gateway_port}"
    server, _ = await start_server(address, [
        lambda s: gateway_pb2_grpc.add_PlatformGatewayServicer_to_server(gateway, s),
        lambda s: sandbox_pb2_grpc.add_SandboxControlServicer_to_server(gateway, s),
    ], settings.gateway_max_message_bytes)
    log.info("sandbox gateway serving on %s", address)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(grace=5)
    telemetry.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m socialcare_gateways")
    parser.add_argument("kind", choices=["sandbox"], help="which platform gateway to run")
    args = parser.parse_args()
    settings = GatewaySettings()
    configure_logging(f"gateway-{args.kind}", settings.log_level)
    asyncio.run(serve_sandbox(settings))


if __name__ == "__main__":
    main()
