"""The gRPC server every gateway runs: its servicers plus standard health checking."""

from collections.abc import Callable

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

Registrar = Callable[[grpc.aio.Server], None]


async def start_server(address: str, registrars: list[Registrar],
                       max_message_bytes: int) -> tuple[grpc.aio.Server, health.aio.HealthServicer]:
    """Starts a server on ``address`` with the given servicers, reporting SERVING."""
    server = grpc.aio.server(options=[
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
    ])
    for register in registrars:
        register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_insecure_port(address)
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("socialcare.gateway.v1.PlatformGateway",
                              health_pb2.HealthCheckResponse.SERVING)
    return server, health_servicer
