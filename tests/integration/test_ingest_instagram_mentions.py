"""Instagram mentions: looked up in the (local) Graph API before they are published."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from services.ingest.tests.kafka_support import fresh_settings, ingest_app, received
from services.ingest.tests.unit.payloads import IG_ID
from socialcare_contracts.messages import ChannelKind, Platform
from socialcare_ingest.settings import IngestSettings
from tests.fakes.instagram_graph_server import FakeInstagramGraph
from tests.integration.test_ingest_webhooks import META_SECRETS, encode, meta_signed

pytestmark = pytest.mark.integration
TOKEN = "ig-token-for-tests"
NOW = datetime.now(UTC).replace(microsecond=0)
GRAPH_TIME = NOW.strftime("%Y-%m-%dT%H:%M:%S%z")


def mention(media: str, comment: str | None = None) -> dict[str, Any]:
    value = {"media_id": media} | ({"comment_id": comment} if comment else {})
    return {"object": "instagram", "entry": [{"id": IG_ID, "time": int(NOW.timestamp()),
                                              "changes": [{"field": "mentions", "value": value}]}]}


@pytest.fixture
def graph() -> Iterator[FakeInstagramGraph]:
    with FakeInstagramGraph(TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(kafka_bootstrap: str, graph: FakeInstagramGraph) -> IngestSettings:
    return fresh_settings(kafka_bootstrap, meta_app_secrets=META_SECRETS,
                          meta_webhook_accounts={IG_ID: "acme_ig"},
                          meta_graph_base_url=graph.base_url,
                          instagram_access_tokens={IG_ID: TOKEN})


@pytest.fixture
def client(settings: IngestSettings) -> Iterator[TestClient]:
    with TestClient(ingest_app(settings)) as test_client:
        yield test_client


def post(client: TestClient, payload: dict[str, Any]) -> Any:
    body = encode(payload)
    return client.post("/webhooks/meta", content=body, headers=meta_signed(body))


def test_mentions_get_their_text_and_author_from_the_graph_api(
        client: TestClient, settings: IngestSettings, graph: FakeInstagramGraph) -> None:
    graph.add_comment("c7", "@acme my parcel never came", "dana.r", "1788", GRAPH_TIME)
    graph.add_media("m9", "unboxing my @acme order, one item missing", "lee.k", GRAPH_TIME)
    assert post(client, mention("m2", "c7")).json()["accepted"] == 1
    assert post(client, mention("m9")).json()["accepted"] == 1
    found = {r[2].message.platform_message_id: r[2].message
             for r in received(settings, expected=2)}
    comment, caption = found["c7"], found["m9"]
    assert (comment.platform, comment.channel, comment.thread_id) == \
        (Platform.INSTAGRAM, ChannelKind.MENTION, "m2")
    assert (comment.text, comment.author.id, comment.author.handle) == \
        ("@acme my parcel never came", "1788", "dana.r")
    assert (caption.text, caption.author.id, caption.created_at) == \
        ("unboxing my @acme order, one item missing", "lee.k", NOW)
    # The token travels in a header, never in the URL.
    assert all(r["auth"] == f"Bearer {TOKEN}" and TOKEN not in r["query"]
               for r in graph.requests)
    assert {r["path"] for r in graph.requests} == {f"/v21.0/{IG_ID}"}


def test_a_transient_graph_failure_defers_the_whole_delivery(
        client: TestClient, settings: IngestSettings, graph: FakeInstagramGraph) -> None:
    graph.add_comment("c8", "@acme refund please", "dana.r", "1788", GRAPH_TIME)
    graph.fail_next(503)
    deferred = post(client, mention("m2", "c8"))
    assert deferred.status_code == 503 and int(deferred.headers["Retry-After"]) >= 1
    assert received(settings) == []
    # Meta delivers it again; now the lookup works.
    assert post(client, mention("m2", "c8")).status_code == 200
    [record] = received(settings, expected=1)
    assert record[2].message.text == "@acme refund please"


def test_a_mention_the_graph_api_cannot_show_is_published_with_ids_only(
        client: TestClient, settings: IngestSettings, graph: FakeInstagramGraph) -> None:
    assert post(client, mention("m3", "gone")).status_code == 200  # Graph answers 400
    [record] = received(settings, expected=1)
    message = record[2].message
    assert (message.platform_message_id, message.text, message.author.id) == \
        ("gone", "", "unknown")


def test_without_a_token_mentions_stay_ids_only_and_nothing_is_called(
        kafka_bootstrap: str, graph: FakeInstagramGraph) -> None:
    settings = fresh_settings(kafka_bootstrap, meta_app_secrets=META_SECRETS,
                              meta_webhook_accounts={IG_ID: "acme_ig"},
                              meta_graph_base_url=graph.base_url)
    with TestClient(ingest_app(settings)) as client:
        assert post(client, mention("m4", "c4")).status_code == 200
    assert [r[2].message.text for r in received(settings, expected=1)] == [""]
    assert graph.requests == []
