"""Outside development the inbox API refuses the shipped keys; the worker needs none."""

import pytest

from socialcare_router.api import create_app
from socialcare_router.settings import RouterSettings

pytestmark = pytest.mark.unit


def test_the_worker_starts_in_production_without_inbox_keys() -> None:
    RouterSettings(environment="production", _env_file=None)


def test_the_inbox_api_refuses_the_shipped_keys_in_production() -> None:
    settings = RouterSettings(environment="production", _env_file=None)
    with pytest.raises(ValueError, match="set real secrets in production: key of agent"):
        create_app(settings, store=None, connect=None, tracer=None)  # type: ignore[arg-type]


def test_the_inbox_api_accepts_real_keys_in_production() -> None:
    settings = RouterSettings(environment="production", _env_file=None, inbox_users={
        "k-9f2c": {"id": "agent-1", "name": "Ada Lee", "role": "agent"}})
    assert create_app(settings, store=None, connect=None, tracer=None)  # type: ignore[arg-type]
