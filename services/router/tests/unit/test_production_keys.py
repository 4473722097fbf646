"""Outside development the inbox API refuses the shipped keys; the worker needs none."""

import pytest
from fastapi.testclient import TestClient

from socialcare_router.api import create_app
from socialcare_router.settings import RouterSettings

pytestmark = pytest.mark.unit


def test_the_worker_starts_in_production_without_inbox_keys() -> None:
    settings = RouterSettings(environment="production", _env_file=None)
    # The shipped dev keys are still the default, yet the settings the worker uses load.
    assert settings.environment == "production"
    assert any(key.startswith("dev-") for key in settings.inbox_users)


def test_the_inbox_api_refuses_the_shipped_keys_in_production() -> None:
    settings = RouterSettings(environment="production", _env_file=None)
    with pytest.raises(ValueError, match="set real secrets in production: key of agent"):
        create_app(settings, store=None, connect=None, tracer=None)  # type: ignore[arg-type]


def test_the_inbox_api_accepts_real_keys_in_production() -> None:
    settings = RouterSettings(environment="production", _env_file=None, inbox_users={
        "k-9f2c": {"id": "agent-1", "name": "Ada Lee", "role": "agent"}})
    app = create_app(settings, store=None, connect=None, tracer=None)  # type: ignore[arg-type]
    client = TestClient(app)  # no lifespan: nothing connects to Kafka or MongoDB
    assert client.get("/healthz").json() == {"status": "ok"}
    # Only the configured key signs in: the shipped one is unknown to this app.
    refused = client.get("/v1/me", headers={"X-API-Key": "dev-agent-key"})
    assert refused.status_code == 401
