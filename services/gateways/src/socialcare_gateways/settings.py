"""Gateway settings (``SOCIALCARE_GATEWAY_*`` and the shared ``SOCIALCARE_*``)."""

from pydantic import Field

from socialcare_runtime.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    host: str = "127.0.0.1"
    gateway_port: int = Field(default=50051, ge=1, le=65535)
    gateway_max_message_bytes: int = Field(default=256 * 1024, ge=1024)
