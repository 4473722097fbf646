"""Settings shared by every service; each service subclasses ``ServiceSettings``.

All values come from ``SOCIALCARE_*`` environment variables (or a ``.env`` file).
"""

import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_PREFIX = "dev-"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOCIALCARE_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    log_level: str = "INFO"
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_partitions: int = Field(default=6, ge=1, le=1000)
    topic_replication_factor: int = Field(default=1, ge=1, le=5)
    topic_prefix: str = Field(
        default="", description="Prepended to every topic name: isolates test runs and tenants"
    )
    kafka_startup_wait_s: float = Field(
        default=120.0, ge=0,
        description="How long a starting service waits for a Kafka broker before it exits")
    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_database: str = "socialcare"
    stream_batch_max: int = Field(
        default=500, ge=1, le=10_000,
        description="Most records a stream worker takes in one batch (what has arrived)")
    stream_data_dir: str = Field(
        default_factory=lambda: str(Path(tempfile.gettempdir()) / "socialcare-streams"),
        description="Where faust workers keep local state")

    def topic(self, name: str) -> str:
        """The configured Kafka topic name for a contract topic."""
        return f"{self.topic_prefix}{name}"

    def refuse_dev_secrets(self, **secrets: str) -> None:
        """Outside development, a secret still at its shipped default is a misconfiguration."""
        if self.environment == "development":
            return
        weak = [name for name, value in secrets.items() if not value or value.startswith(
            DEV_SECRET_PREFIX)]
        if weak:
            raise ValueError(f"set real secrets in production: {', '.join(sorted(weak))}")
