"""Gateway settings (``SOCIALCARE_GATEWAY_*``, ``SOCIALCARE_X_*``, ``SOCIALCARE_META_*``)."""

from pydantic import BaseModel, Field, SecretStr, model_validator

from socialcare_runtime.settings import ServiceSettings


class MetaAccount(BaseModel):
    """One brand's Facebook Page (and linked Instagram account) with its page token."""

    page_id: str
    access_token: SecretStr
    instagram_user_id: str | None = None


class GatewaySettings(ServiceSettings):
    host: str = "127.0.0.1"
    gateway_port: int = Field(default=50051, ge=1, le=65535)
    gateway_max_message_bytes: int = Field(default=256 * 1024, ge=1024)
    gateway_http_timeout_s: float = Field(default=10.0, gt=0, description="Per platform call")
    gateway_tls_cert_file: str | None = Field(default=None, description="Server certificate (PEM)")
    gateway_tls_key_file: str | None = None
    gateway_tls_client_ca_file: str | None = Field(
        default=None, description="When set, clients must present a certificate it signed (mTLS)")
    x_api_base_url: str = "https://api.x.com"
    x_bearer_tokens: dict[str, SecretStr] = Field(
        default={}, description="Brand account -> OAuth 2.0 user-context access token")
    meta_graph_base_url: str = "https://graph.facebook.com/v21.0"
    meta_accounts: dict[str, MetaAccount] = Field(
        default={}, description="Brand account -> page id, page access token, Instagram user id")

    @model_validator(mode="after")
    def _no_dev_tokens_in_production(self) -> "GatewaySettings":
        self.refuse_dev_secrets(
            **{f"X token of {brand}": token.get_secret_value()
               for brand, token in self.x_bearer_tokens.items()},
            **{f"Meta page token of {brand}": account.access_token.get_secret_value()
               for brand, account in self.meta_accounts.items()})
        return self
