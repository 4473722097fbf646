"""What each gateway advertises as its send budget comes from its settings."""

import httpx
import pytest
from opentelemetry import trace

from socialcare_contracts.gateway.v1 import gateway_pb2, sandbox_pb2
from socialcare_gateways.meta import MetaGateway
from socialcare_gateways.sandbox import SandboxGateway
from socialcare_gateways.settings import Budget, GatewaySettings
from socialcare_gateways.x import XGateway

pytestmark = pytest.mark.unit
ASK = gateway_pb2.GetCapabilitiesRequest()


async def test_x_advertises_posts_and_direct_messages_as_separate_budgets() -> None:
    async with httpx.AsyncClient() as http:
        caps = await XGateway(http, "http://x", {}, Budget(requests=7, window_s=60),
                              Budget(requests=3, window_s=120)).GetCapabilities(ASK, None)
    assert (caps.requests_per_window, caps.window_seconds) == (7, 60)
    assert (caps.direct_messages_per_window, caps.direct_message_window_seconds) == (3, 120)


async def test_meta_defaults_to_an_hourly_share_of_the_page_day() -> None:
    async with httpx.AsyncClient() as http:
        caps = await MetaGateway(http, "http://graph", {}).GetCapabilities(ASK, None)
    assert caps.requests_per_window * 25 <= 4800 and caps.window_seconds == 3600
    assert caps.direct_messages_per_window == 0  # messages share the page budget


async def test_sandbox_advertises_its_configured_budget_or_its_rate_fault() -> None:
    configured = SandboxGateway(trace.get_tracer("t"), budget=Budget(requests=5, window_s=2))
    assert (await configured.GetCapabilities(ASK, None)).requests_per_window == 5
    plain = SandboxGateway(trace.get_tracer("t"))
    await plain.SetFaults(sandbox_pb2.Faults(rate_limit_per_second=9), None)
    caps = await plain.GetCapabilities(ASK, None)
    assert (caps.requests_per_window, caps.window_seconds) == (9, 1)


def test_the_sandbox_budget_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALCARE_SANDBOX_REQUESTS_PER_WINDOW", "5")
    monkeypatch.setenv("SOCIALCARE_SANDBOX_WINDOW_S", "2")
    settings = GatewaySettings()
    assert settings.sandbox_budget() == Budget(requests=5, window_s=2)
