"""ReplySender with the real MongoDB ledger against in-process gateways (sandbox, Meta)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from opentelemetry import trace
from pymongo.asynchronous.database import AsyncDatabase

from socialcare_contracts.events import ReplyFailed, ReplyKind, ReplyRequested, ReplySent
from socialcare_contracts.gateway.v1 import sandbox_pb2
from socialcare_contracts.messages import Platform
from socialcare_gateways.meta import MetaGateway
from socialcare_gateways.sandbox import SandboxGateway
from socialcare_gateways.settings import MetaAccount
from socialcare_responder.adapters.gateways import GatewayClients
from socialcare_responder.adapters.ledger import DeliveryLedger
from socialcare_responder.sending import ReplySender
from socialcare_responder.settings import ResponderSettings
from socialcare_text.brand_voice import BrandPolicy
from tests.fakes.platform_server import (
    META_PAGE_ID,
    META_TOKEN,
    FakePlatform,
    Fault,
    graph_error_body,
    serving_gateway,
)
from tests.waiting import eventually_async

pytestmark = pytest.mark.integration


def request(text: str = "We're on it", kind: ReplyKind = ReplyKind.PUBLIC,
            platform: Platform = Platform.X, brand: str = "acme", **extra) -> ReplyRequested:
    return ReplyRequested(
        reply_id=uuid.uuid4().hex, conversation_id="conv-1", platform=platform,
        brand_account=brand, kind=kind, in_reply_to_id="m-1", recipient_id="psid-1",
        text=text, agent_id="agent-jj", requested_at=datetime.now(UTC), **extra)


class Sandbox:
    def __init__(self, gateway: SandboxGateway, sender: ReplySender) -> None:
        self.gateway, self.sender = gateway, sender

    async def sent(self) -> list[sandbox_pb2.SentRecord]:
        return list((await self.gateway.ListSent(sandbox_pb2.ListSentRequest(), None)).records)


def settings(**overrides) -> ResponderSettings:
    return ResponderSettings(
        gateway_timeout_s=2, reply_give_up_after_s=20, circuit_failure_threshold=2,
        circuit_reset_after_s=0.3, agent_initials={"agent-jj": "JJ"},
        brands={"*": BrandPolicy(), "quiet": BrandPolicy(allow_threads=False),
                "careful": BrandPolicy(force_dm_on_private_data=True)}, **overrides)


@pytest.fixture
async def sandbox(mongo_db: AsyncDatabase) -> AsyncIterator[Sandbox]:
    gateway = SandboxGateway(trace.get_tracer("test"))
    async with serving_gateway(gateway) as target:
        clients = GatewayClients({"*": target}, 2)
        yield Sandbox(gateway, ReplySender(clients, DeliveryLedger(mongo_db), settings(),
                                           max_backoff_s=0.2))
        await clients.close()


async def test_sent_reply_carries_signature_id_and_permalink(sandbox: Sandbox) -> None:
    reply = request()
    outcome = await sandbox.sender.send(reply)
    [record] = await sandbox.sent()
    assert isinstance(outcome, ReplySent)
    assert record.text == "We're on it ^JJ" and record.idempotency_key == reply.reply_id
    assert outcome.platform_message_id == record.platform_message_id and outcome.permalink


async def test_a_redelivered_request_is_answered_from_the_ledger_without_calling(
        sandbox: Sandbox, mongo_db: AsyncDatabase) -> None:
    reply = request()
    first = await sandbox.sender.send(reply)
    again = await sandbox.sender.send(reply)
    [record] = await sandbox.sent()
    assert record.attempts == 1  # the gateway never saw the second send
    assert isinstance(again, ReplySent) and again.platform_message_id == \
        first.platform_message_id  # type: ignore[union-attr]
    doc = await mongo_db.deliveries.find_one({"_id": f"{reply.reply_id}:0"})
    assert doc["state"] == "sent" and doc["attempts"] == 1


async def test_long_reply_goes_out_as_a_thread_each_part_answering_the_previous(
        sandbox: Sandbox) -> None:
    outcome = await sandbox.sender.send(request(" ".join(["sorry"] * 120)))
    records = await sandbox.sent()
    assert isinstance(outcome, ReplySent) and len(records) == 3
    assert [r.target_id for r in records] == ["m-1", records[0].platform_message_id,
                                              records[1].platform_message_id]
    assert records[0].text.endswith("1/3") and records[2].text.endswith("^JJ 3/3")
    assert outcome.platform_message_id == records[0].platform_message_id


async def test_media_go_to_the_platform_with_the_first_part_only(sandbox: Sandbox) -> None:
    outcome = await sandbox.sender.send(request(" ".join(["sorry"] * 60),
                                                media_ids=("media-1", "media-2")))
    first, second = await sandbox.sent()
    assert isinstance(outcome, ReplySent)
    assert list(first.media_ids) == ["media-1", "media-2"] and list(second.media_ids) == []


async def test_too_long_for_a_brand_without_threads_fails_with_a_reason(
        sandbox: Sandbox) -> None:
    outcome = await sandbox.sender.send(request("x" * 300, brand="quiet"))
    assert isinstance(outcome, ReplyFailed) and outcome.code == "too_long"
    assert "280" in outcome.reason and await sandbox.sent() == []


async def test_private_data_is_sent_as_a_dm_when_the_brand_forces_it(sandbox: Sandbox) -> None:
    outcome = await sandbox.sender.send(request(brand="careful", private_data=True))
    [record] = await sandbox.sent()
    assert isinstance(outcome, ReplySent)
    assert (record.kind, record.target_id) == ("direct_message", "psid-1")


async def test_an_outage_is_waited_out_and_the_reply_drains_after_recovery(
        sandbox: Sandbox) -> None:
    await sandbox.gateway.SetFaults(sandbox_pb2.Faults(failure_rate=1.0), None)
    pending = asyncio.create_task(sandbox.sender.send(request()))
    breaker = sandbox.sender._breaker("x")
    threshold = sandbox.sender.settings.circuit_failure_threshold

    async def tried_again_after_opening() -> bool:
        # One failure past the threshold: a half-open trial after an open circuit failed.
        return breaker._failures > threshold

    await eventually_async(tried_again_after_opening, "a failed trial after the circuit opened")
    assert not pending.done() and await sandbox.sent() == []
    await sandbox.gateway.SetFaults(sandbox_pb2.Faults(), None)
    outcome = await asyncio.wait_for(pending, 10)
    assert isinstance(outcome, ReplySent) and len(await sandbox.sent()) == 1


@pytest.fixture
async def meta(mongo_db: AsyncDatabase) -> AsyncIterator[tuple[FakePlatform, ReplySender]]:
    platform = FakePlatform()
    await platform.start()
    accounts = {"acme": MetaAccount(page_id=META_PAGE_ID, access_token=META_TOKEN)}
    async with httpx.AsyncClient(timeout=1) as http, serving_gateway(
            MetaGateway(http, f"{platform.base_url}/v21.0", accounts)) as target:
        clients = GatewayClients({"*": target}, 2)
        yield platform, ReplySender(clients, DeliveryLedger(mongo_db), settings())
        await clients.close()
    await platform.stop()


async def test_closed_messaging_window_fails_with_an_actionable_reason(
        meta: tuple[FakePlatform, ReplySender]) -> None:
    _, sender = meta
    outcome = await sender.send(request(kind=ReplyKind.DIRECT, platform=Platform.FACEBOOK))
    assert isinstance(outcome, ReplyFailed) and outcome.code == "permission_denied"
    assert "messaging window closed" in outcome.reason


async def test_missing_permission_fails_at_once(meta: tuple[FakePlatform, ReplySender]) -> None:
    platform, sender = meta
    platform.fail(Fault("/comments$", 403, graph_error_body(
        200, "(#200) Requires pages_manage_engagement permission")))
    outcome = await sender.send(request(platform=Platform.FACEBOOK))
    assert isinstance(outcome, ReplyFailed) and outcome.code == "permission_denied"
    assert "pages_manage_engagement" in outcome.reason and len(platform.calls) == 1
