"""Responder settings."""

from pydantic import Field

from socialcare_runtime.settings import ServiceSettings
from socialcare_text.brand_voice import BrandVoiceSettings


class ResponderSettings(ServiceSettings, BrandVoiceSettings):
    gateways: dict[str, str] = Field(
        default={"*": "127.0.0.1:50051"},
        description="Platform -> gateway gRPC target; '*' is the fallback",
    )
    gateway_timeout_s: float = Field(default=10.0, gt=0)
    gateway_tls_ca_file: str | None = Field(
        default=None, description="CA that signed the gateways' certificates: TLS when set")
    gateway_tls_cert_file: str | None = Field(default=None, description="Client cert (mTLS)")
    gateway_tls_key_file: str | None = None
    reply_give_up_after_s: float = Field(
        default=900.0, gt=0, description="Stop retrying a reply this long after it was requested")
    circuit_failure_threshold: int = Field(default=5, ge=1)
    circuit_reset_after_s: float = Field(default=30.0, gt=0)
    send_budget_margin: float = Field(
        default=0.1, ge=0, lt=1,
        description="Share of each platform budget left unused, for clock skew and other apps")
    send_budget_bulk_reserve: float = Field(
        default=0.2, ge=0, lt=1,
        description="Share of each window's usable budget bulk copies leave to one-off replies "
        "(on every replica), except in the window's last tenth")
    send_budget_poll_s: float = Field(
        default=2.0, gt=0, description="Longest sleep of a send waiting for budget before it "
        "looks again")
    capabilities_refresh_s: float = Field(
        default=300.0, gt=0, description="How long a gateway's advertised limits are trusted")
    send_max_in_flight: int = Field(
        default=1000, ge=1, description="Reply requests a worker holds at once (most of them "
        "waiting for budget); more stay in Kafka until some are done")
    send_concurrency: int = Field(
        default=100, ge=1, description="Sends a worker runs at once; those waiting for "
        "budget do not count")
