"""Router settings: the stream worker and the inbox API share them."""

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from socialcare_router.domain.surge import SurgePolicy
from socialcare_runtime.settings import ServiceSettings
from socialcare_text.brand_voice import BrandVoiceSettings


class InboxUser(BaseModel):
    id: str
    name: str
    role: Literal["agent", "supervisor", "admin"]
    brands: list[str] = Field(default=["*"], max_length=500,
                              description="Brand accounts this user works on; * for all")


class RouterSettings(ServiceSettings, BrandVoiceSettings):
    host: str = "127.0.0.1"
    inbox_port: int = Field(default=8082, ge=1, le=65535)
    inbox_users: dict[str, InboxUser] = Field(
        default={
            "dev-agent-key": InboxUser(id="agent-jj", name="Jamie Jones", role="agent"),
            "dev-agent-2-key": InboxUser(id="agent-sl", name="Sam Lee", role="agent"),
            "dev-supervisor-key": InboxUser(id="sup-ak", name="Alex Kim", role="supervisor"),
        },
        description="API key -> user",
    )
    inbox_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    inbox_media_hosts: list[Annotated[str, Field(pattern=r"^https://(\*\.)?[a-z0-9.-]+$")]] = Field(
        default=["https://pbs.twimg.com", "https://ton.twimg.com", "https://*.fbcdn.net",
                 "https://*.cdninstagram.com"],
        max_length=50,
        description="Where the page may load customers' images from (the platforms' media "
                    "hosts); anything else shows as a link")
    default_queue: str = "general"
    thread_window_hours: float = Field(default=24.0, gt=0)
    sla_timezone: str = "UTC"
    default_agent_capacity: int = Field(default=5, ge=0, le=1000)
    routing_refresh_s: float = Field(default=3.0, gt=0, le=300,
                                     description="How often workers check the rules version")
    escalation_share: float = Field(default=0.75, gt=0, le=1,
                                    description="Share of the deadline that raises priority")
    escalation_priority_boost: int = Field(default=20, ge=0, le=100)
    escalation_queue: str = "escalations"
    live_max_clients: int = Field(default=500, ge=1, description="SSE clients per process")
    live_client_queue: int = Field(default=100, ge=1, description="Updates buffered per client")
    escalation_check_s: float = Field(default=5.0, gt=0, le=300)
    distribution_check_s: float = Field(
        default=5.0, gt=0, le=300,
        description="How often waiting work is given to agents who have room for it")
    surge_check_s: float = Field(default=15.0, gt=0, le=300,
                                 description="How often rates are compared with baselines")
    surge_factor: float = Field(default=3.0, gt=1, le=100,
                                description="A rate this many times the usual opens an incident")
    surge_min_messages: int = Field(default=20, ge=1, le=100_000,
                                    description="Fewer messages in the window never surge")
    surge_window_minutes: int = Field(default=5, ge=1, le=60)
    surge_quiet_minutes: int = Field(default=5, ge=1, le=240,
                                     description="Calm this long closes an incident")
    surge_default_per_minute: float = Field(
        default=0.5, gt=0, le=10_000, description="A brand's usual rate until it has history")
    agent_idle_away_minutes: float = Field(
        default=30.0, ge=0, le=24 * 60,
        description="Agents with no action for this long are set away and their unanswered "
                    "work returns to the queue; 0 never")
    outbox_relay_s: float = Field(default=2.0, gt=0, le=300,
                                  description="How often events Kafka refused are retried")
    queue_depth_interval_s: float = Field(default=30.0, gt=0, le=3600,
                                          description="How often open work per queue is counted")

    ingest_port: int = Field(default=8081, ge=1, le=65535,
                             description="The ingest service's port (listening rules)")
    listening_api_url: str | None = Field(
        default=None, description="Ingest's base URL; default http://127.0.0.1:<ingest port>")
    listening_admin_key: str | None = Field(
        default=None, description="Ingest admin key the inbox relays listening edits with; "
                                  "unset: the shipped dev key in development, off otherwise")

    @property
    def listening_api(self) -> str:
        return (self.listening_api_url or f"http://127.0.0.1:{self.ingest_port}").rstrip("/")

    @property
    def listening_key(self) -> str | None:
        """The key to relay with; None turns the listening routes off (503)."""
        if self.listening_admin_key is None and self.environment == "development":
            return "dev-ingest-admin-key"
        return self.listening_admin_key

    @property
    def surge_policy(self) -> SurgePolicy:
        return SurgePolicy(window_minutes=self.surge_window_minutes, factor=self.surge_factor,
                           min_messages=self.surge_min_messages,
                           quiet_minutes=self.surge_quiet_minutes,
                           default_per_minute=self.surge_default_per_minute)

    @property
    def agent_idle_away(self) -> timedelta | None:
        return timedelta(minutes=self.agent_idle_away_minutes) \
            if self.agent_idle_away_minutes else None

    @property
    def thread_window(self) -> timedelta:
        return timedelta(hours=self.thread_window_hours)

    def refuse_dev_api_keys(self) -> None:
        """Outside development the inbox API refuses the shipped keys; the worker has none."""
        optional = {"listening_admin_key": self.listening_admin_key} \
            if self.listening_admin_key is not None else {}
        self.refuse_dev_secrets(**{f"key of {u.id}": k for k, u in self.inbox_users.items()},
                                **optional)
