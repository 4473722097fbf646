"""Responder settings."""

from pydantic import Field

from socialcare_runtime.settings import ServiceSettings


class ResponderSettings(ServiceSettings):
    gateways: dict[str, str] = Field(
        default={"*": "127.0.0.1:50051"},
        description="Platform -> gateway gRPC target; '*' is the fallback",
    )
    gateway_timeout_s: float = Field(default=10.0, gt=0)
    reply_give_up_after_s: float = Field(
        default=900.0, gt=0, description="Stop retrying a reply this long after it was requested")
