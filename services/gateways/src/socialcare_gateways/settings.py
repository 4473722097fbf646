"""Gateway settings (``SOCIALCARE_GATEWAY_*``, ``SOCIALCARE_X_*``, ``SOCIALCARE_META_*``)."""

from pydantic import BaseModel, Field, SecretStr, model_validator

from socialcare_runtime.settings import ServiceSettings


class MetaAccount(BaseModel):
    """One brand's Facebook Page (and linked Instagram account) with its page token."""

    page_id: str
    access_token: SecretStr
    instagram_user_id: str | None = None


class Budget(BaseModel, frozen=True):
    """A platform send limit a gateway advertises: ``requests`` calls per ``window_s``."""

    requests: int = Field(ge=0, description="0: no known limit")
    window_s: int = Field(ge=1)


# Budgets are counted in fixed windows, and a platform's own (sliding or differently
# aligned) period can overlap one more of them: the defaults leave room for that.
# X API v2, per user: POST /2/tweets 100 per 15 min (X's windows are 15 min too).
X_POSTS = Budget(requests=100, window_s=900)
# X direct messages, per user: 200 per 15 min and 1,000 per 24 h. Any 24 h touches 25
# hourly windows: 40 an hour keeps both (25 x 40 = 1,000; 2 x 40 < 200).
X_DIRECT_MESSAGES = Budget(requests=40, window_s=3600)
# Page tokens fall under Meta's Business Use Case limit: 4,800 calls x engaged users per
# sliding 24 h, replies and messages alike. 4,800 / 25 hourly windows for one engaged user.
META_PAGE = Budget(requests=192, window_s=3600)


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
    x_posts_per_window: int = Field(default=X_POSTS.requests, ge=0)
    x_posts_window_s: int = Field(default=X_POSTS.window_s, ge=1)
    x_direct_messages_per_window: int = Field(default=X_DIRECT_MESSAGES.requests, ge=0)
    x_direct_messages_window_s: int = Field(default=X_DIRECT_MESSAGES.window_s, ge=1)
    meta_graph_base_url: str = "https://graph.facebook.com/v21.0"
    meta_accounts: dict[str, MetaAccount] = Field(
        default={}, description="Brand account -> page id, page access token, Instagram user id")
    meta_calls_per_window: int = Field(default=META_PAGE.requests, ge=0)
    meta_window_s: int = Field(default=META_PAGE.window_s, ge=1)
    sandbox_requests_per_window: int = Field(
        default=0, ge=0, description="Advertised budget; 0: the rate-limit fault's, per second")
    sandbox_window_s: int = Field(default=1, ge=1)

    def x_post_budget(self) -> Budget:
        return Budget(requests=self.x_posts_per_window, window_s=self.x_posts_window_s)

    def x_direct_message_budget(self) -> Budget:
        return Budget(requests=self.x_direct_messages_per_window,
                      window_s=self.x_direct_messages_window_s)

    def meta_budget(self) -> Budget:
        return Budget(requests=self.meta_calls_per_window, window_s=self.meta_window_s)

    def sandbox_budget(self) -> Budget | None:
        if not self.sandbox_requests_per_window:
            return None
        return Budget(requests=self.sandbox_requests_per_window, window_s=self.sandbox_window_s)

    @model_validator(mode="after")
    def _no_dev_tokens_in_production(self) -> "GatewaySettings":
        self.refuse_dev_secrets(
            **{f"X token of {brand}": token.get_secret_value()
               for brand, token in self.x_bearer_tokens.items()},
            **{f"Meta page token of {brand}": account.access_token.get_secret_value()
               for brand, account in self.meta_accounts.items()})
        return self
