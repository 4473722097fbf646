"""Ingest settings."""

from pydantic import Field, model_validator

from socialcare_runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    host: str = "127.0.0.1"
    ingest_port: int = Field(default=8081, ge=1, le=65535)
    ingest_api_keys: dict[str, str] = Field(
        default={"demo": "dev-ingest-key"},
        description="Source name -> API key for POST /v1/messages",
    )
    ingest_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    ingest_max_batch: int = Field(default=500, ge=1, le=10_000)
    ingest_max_in_flight: int = Field(default=20_000, ge=1)
    ingest_ack_timeout_s: float = Field(default=10.0, gt=0)
    ingest_retry_after_s: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _no_dev_keys_in_production(self) -> "IngestSettings":
        self.refuse_dev_secrets(**{f"api key of {s}": k for s, k in self.ingest_api_keys.items()})
        return self
