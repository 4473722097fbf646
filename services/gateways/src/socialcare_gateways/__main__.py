"""Entrypoint: ``python -m socialcare_gateways x|meta|sandbox``."""

import argparse
import asyncio
import logging
import signal

import grpc
import httpx
from opentelemetry import trace

from socialcare_contracts.gateway.v1 import gateway_pb2_grpc, sandbox_pb2_grpc
from socialcare_gateways.meta import MetaGateway
from socialcare_gateways.sandbox import SandboxGateway
from socialcare_gateways.server import Registrar, server_credentials, start_server
from socialcare_gateways.settings import GatewaySettings
from socialcare_gateways.x import XGateway
from socialcare_runtime.instrumentation import instrument_grpc_server
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.telemetry import setup_telemetry

log = logging.getLogger(__name__)


def registrars(kind: str, settings: GatewaySettings, client: httpx.AsyncClient,
               tracer: trace.Tracer) -> list[Registrar]:
    """The servicers of one gateway kind, built from settings."""
    if kind == "x":
        tokens = {b: t.get_secret_value() for b, t in settings.x_bearer_tokens.items()}
        x = XGateway(client, settings.x_api_base_url, tokens, settings.x_post_budget(),
                     settings.x_direct_message_budget())
        return [lambda s: gateway_pb2_grpc.add_PlatformGatewayServicer_to_server(x, s)]
    if kind == "meta":
        meta = MetaGateway(client, settings.meta_graph_base_url, settings.meta_accounts,
                           settings.meta_budget())
        return [lambda s: gateway_pb2_grpc.add_PlatformGatewayServicer_to_server(meta, s)]
    sandbox = SandboxGateway(tracer, budget=settings.sandbox_budget())
    return [lambda s: gateway_pb2_grpc.add_PlatformGatewayServicer_to_server(sandbox, s),
            lambda s: sandbox_pb2_grpc.add_SandboxControlServicer_to_server(sandbox, s)]


async def serve(kind: str, settings: GatewaySettings) -> None:
    """Runs one gateway until SIGTERM or SIGINT."""
    telemetry = setup_telemetry(f"socialcare-gateway-{kind}")
    instrument_grpc_server()
    credentials: grpc.ServerCredentials | None = server_credentials(
        settings.gateway_tls_cert_file, settings.gateway_tls_key_file,
        settings.gateway_tls_client_ca_file)
    address = f"{settings.host}:{settings.gateway_port}"
    async with httpx.AsyncClient(timeout=settings.gateway_http_timeout_s) as client:
        server, _, _ = await start_server(
            address, registrars(kind, settings, client, telemetry.tracer),
            settings.gateway_max_message_bytes, credentials)
        log.info("%s gateway serving on %s (tls=%s)", kind, address, credentials is not None)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop(grace=5)
    telemetry.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m socialcare_gateways")
    parser.add_argument("kind", choices=["x", "meta", "sandbox"],
                        help="which platform gateway to run")
    args = parser.parse_args()
    settings = GatewaySettings()
    configure_logging(f"gateway-{args.kind}", settings.log_level)
    asyncio.run(serve(args.kind, settings))


if __name__ == "__main__":
    main()
