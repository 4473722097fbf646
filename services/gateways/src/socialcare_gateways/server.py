"""The gRPC server every gateway runs: its servicers plus standard health checking."""

from collections.abc import Callable
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

Registrar = Callable[[grpc.aio.Server], None]


def server_credentials(cert_file: str | None, key_file: str | None,
                       client_ca_file: str | None) -> grpc.ServerCredentials | None:
    """TLS when a certificate is configured; mutual TLS when a client CA is too."""
    if not cert_file and not key_file:
        if client_ca_file:
            raise ValueError("a client CA needs a server certificate and key")
        return None
    if not (cert_file and key_file):
        raise ValueError("TLS needs both a certificate and a key")
    client_ca = Path(client_ca_file).read_bytes() if client_ca_file else None
    return grpc.ssl_server_credentials(
        [(Path(key_file).read_bytes(), Path(cert_file).read_bytes())],
        root_certificates=client_ca, require_client_auth=client_ca is not None)


async def start_server(address: str, registrars: list[Registrar], max_message_bytes: int,
                       credentials: grpc.ServerCredentials | None = None
                       ) -> tuple[grpc.aio.Server, health.aio.HealthServicer, int]:
    """Starts a server on ``address`` with the given servicers, reporting SERVING."""
    server = grpc.aio.server(options=[
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
    ])
    for register in registrars:
        register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = (server.add_secure_port(address, credentials) if credentials
            else server.add_insecure_port(address))
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("socialcare.gateway.v1.PlatformGateway",
                              health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer, port
