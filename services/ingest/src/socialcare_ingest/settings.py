"""Ingest settings: the API channel, platform webhooks, listening poller and import."""

from pydantic import Field, SecretStr, model_validator

from socialcare_runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    host: str = "127.0.0.1"
    ingest_port: int = Field(default=8081, ge=1, le=65535)
    ingest_api_keys: dict[str, str] = Field(
        default={"demo": "dev-ingest-key"},
        description="Source name -> API key for POST /v1/messages",
    )
    ingest_admin_keys: list[str] = Field(
        default=["dev-ingest-admin-key"], description="Keys of the listening-rules admin API")
    ingest_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    ingest_max_batch: int = Field(default=500, ge=1, le=10_000)
    ingest_max_in_flight: int = Field(default=20_000, ge=1)
    ingest_ack_timeout_s: float = Field(default=10.0, gt=0)
    ingest_retry_after_s: int = Field(default=5, ge=1)
    ingest_rate_per_s: float = Field(
        default=500.0, gt=0, description="Requests per second per source (token bucket)")
    ingest_rate_burst: int = Field(default=1000, ge=1)
    ingest_dedupe_size: int = Field(
        default=100_000, ge=0, description="Recently published platform message ids remembered")
    ingest_max_delivery_age_s: int = Field(
        default=48 * 3600, ge=60, description="Webhook items older than this are refused")

    # X Account Activity webhook: secrets as lists so both keys work during a rotation.
    x_consumer_secrets: list[str] = Field(default=["dev-x-consumer-secret"])
    x_accounts: dict[str, str] = Field(
        default={"1000": "acmeshop"}, description="Brand X user id -> brand account name")

    # Meta (Facebook Page, Messenger, Instagram) webhooks.
    meta_app_secrets: list[str] = Field(default=["dev-meta-app-secret"])
    meta_verify_tokens: list[str] = Field(default=["dev-meta-verify-token"])
    meta_webhook_accounts: dict[str, str] = Field(
        default={"2000": "acmeshop", "3000": "acmeshop"},
        description="Facebook Page id or Instagram account id -> brand account name")
    meta_graph_base_url: str = "https://graph.facebook.com/v21.0"
    instagram_access_tokens: dict[str, SecretStr] = Field(
        default={}, description="Instagram account id -> access token used to look up the "
        "text and author of mentions (the webhook gives ids only); none: ids only")
    meta_graph_timeout_s: float = Field(default=5.0, gt=0)

    # Brand-mention listening (X API v2 recent search).
    x_api_base_url: str = "https://api.x.com"
    listening_bearer_tokens: list[str] = Field(default=["dev-x-bearer-token"])
    listening_interval_s: float = Field(default=60.0, gt=0)
    listening_max_results: int = Field(default=100, ge=10, le=100)
    listening_max_pages: int = Field(default=10, ge=1, description="Pages per rule set per cycle")
    listening_max_backoff_s: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _no_dev_keys_in_production(self) -> "IngestSettings":
        self.refuse_dev_secrets(
            **{f"api key of {s}": k for s, k in self.ingest_api_keys.items()},
            **{f"admin key {i}": k for i, k in enumerate(self.ingest_admin_keys)},
            **{f"x consumer secret {i}": k for i, k in enumerate(self.x_consumer_secrets)},
            **{f"meta app secret {i}": k for i, k in enumerate(self.meta_app_secrets)},
            **{f"meta verify token {i}": k for i, k in enumerate(self.meta_verify_tokens)},
            **{f"x bearer token {i}": k for i, k in enumerate(self.listening_bearer_tokens)},
        )
        return self
