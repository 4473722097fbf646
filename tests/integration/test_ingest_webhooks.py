"""X and Meta webhooks end to end: signed delivery -> ingest -> the real Kafka topic."""

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from services.ingest.tests.kafka_support import fresh_settings, ingest_app, received
from services.ingest.tests.unit.payloads import (
    BRAND_X_ID,
    IG_ID,
    PAGE_ID,
    fb_comment,
    ig_comment,
    messaging,
    x_dm,
    x_tweet,
    x_tweets,
)
from socialcare_contracts.messages import ChannelKind, Platform
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.publisher import EventPublisher

pytestmark = pytest.mark.integration
X_SECRETS = ["x-secret-new", "x-secret-old"]
META_SECRETS = ["meta-secret"]
NOW = datetime.now(UTC)
NOW_V1 = NOW.strftime("%a %b %d %H:%M:%S %z %Y")
NOW_S = int(NOW.timestamp())


@pytest.fixture
def settings(kafka_bootstrap: str) -> IngestSettings:
    return fresh_settings(kafka_bootstrap, x_consumer_secrets=X_SECRETS,
                          meta_app_secrets=META_SECRETS, meta_verify_tokens=["verify-me"],
                          x_accounts={BRAND_X_ID: "acmeshop"},
                          meta_webhook_accounts={PAGE_ID: "acmeshop", IG_ID: "acme_ig"})


@pytest.fixture
def client(settings: IngestSettings) -> Iterator[TestClient]:
    with TestClient(ingest_app(settings)) as test_client:
        yield test_client


def x_signed(body: bytes, secret: str = "x-secret-new") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode(),
            "content-type": "application/json"}


def meta_signed(body: bytes, secret: str = "meta-secret") -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body,
                                                         hashlib.sha256).hexdigest(),
            "content-type": "application/json"}


def encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def test_x_crc_challenge(client: TestClient) -> None:
    answer = client.get("/webhooks/x", params={"crc_token": "abc123"})
    expected = base64.b64encode(hmac.new(b"x-secret-new", b"abc123", hashlib.sha256).digest())
    assert answer.status_code == 200
    assert answer.json() == {"response_token": "sha256=" + expected.decode()}
    assert client.get("/webhooks/x").status_code == 422


def test_x_mentions_and_dms_reach_kafka_once_even_when_x_retries(
        client: TestClient, settings: IngestSettings) -> None:
    tweets = encode(x_tweets(x_tweet("7001", "@acmeshop where is my order", created=NOW_V1),
                             x_tweet("7002", "@dana_r on it ^JJ", author=BRAND_X_ID,
                                     handle="acmeshop", created=NOW_V1)))
    first = client.post("/webhooks/x", content=tweets, headers=x_signed(tweets))
    assert first.status_code == 200 and first.json()["accepted"] == 1
    # X retries the same delivery, signed with the secret being rotated out.
    again = client.post("/webhooks/x", content=tweets, headers=x_signed(tweets, "x-secret-old"))
    assert again.json() == first.json()
    dm = encode(x_dm("dm-77", "42", "my account number is 123", at_ms=NOW_S * 1000))
    assert client.post("/webhooks/x", content=dm, headers=x_signed(dm)).status_code == 200

    records = received(settings)
    assert [(r[2].message.platform_message_id, r[2].message.channel) for r in records] == \
        [("7001", ChannelKind.MENTION), ("dm-77", ChannelKind.DIRECT_MESSAGE)]
    key, event_id, event = records[0]
    assert key == "x:acmeshop:42" and event_id == first.json()["event_ids"][0]
    assert event.message.author.handle == "dana_r" and event.message.received_at is not None


@pytest.mark.parametrize("headers", [{}, {"x-twitter-webhooks-signature": "sha256=AAAA"}])
def test_x_unsigned_or_badly_signed_deliveries_are_refused(
        client: TestClient, settings: IngestSettings, headers: dict[str, str]) -> None:
    body = encode(x_tweets(x_tweet("7101", "hi", created=NOW_V1)))
    answer = client.post("/webhooks/x", content=body, headers=headers)
    assert answer.status_code == 401
    assert received(settings) == []


def test_meta_handshake(client: TestClient) -> None:
    ok = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token":
                                              "verify-me", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = client.get("/webhooks/meta", params={"hub.mode": "subscribe", "hub.verify_token":
                                                 "guess", "hub.challenge": "1158201444"})
    assert wrong.status_code == 403 and "1158201444" not in wrong.text


def test_meta_page_comment_messenger_and_instagram_reach_kafka(
        client: TestClient, settings: IngestSettings) -> None:
    for payload in (fb_comment("1", "broken", at=NOW_S),
                    messaging("page", PAGE_ID, "m_fb", "hi", at_ms=NOW_S * 1000),
                    ig_comment("ig-c1", "love it", at=NOW_S),
                    messaging("instagram", IG_ID, "m_ig", "dm", at_ms=NOW_S * 1000)):
        body = encode(payload)
        answer = client.post("/webhooks/meta", content=body, headers=meta_signed(body))
        assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
    got = {(r[2].message.platform, r[2].message.platform_message_id, r[2].message.brand_account)
           for r in received(settings, expected=4)}
    assert got == {(Platform.FACEBOOK, "555_1", "acmeshop"),
                   (Platform.FACEBOOK, "m_fb", "acmeshop"),
                   (Platform.INSTAGRAM, "ig-c1", "acme_ig"),
                   (Platform.INSTAGRAM, "m_ig", "acme_ig")}


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 400, "malformed JSON"),
    (b"\xff\xfe", 400, "UTF-8"),
    (b'{"object": "user", "entry": []}', 400, "unknown object"),
    (json.dumps(fb_comment("1", "old", at=NOW_S - 5 * 86400)).encode(), 400, "older than"),
])
def test_meta_bad_deliveries_say_why_and_publish_nothing(
        client: TestClient, settings: IngestSettings, body: bytes, status: int,
        words: str) -> None:
    answer = client.post("/webhooks/meta", content=body, headers=meta_signed(body))
    assert answer.status_code == status and words in answer.text
    assert client.post("/webhooks/meta", content=body,
                       headers=meta_signed(body, "wrong")).status_code == 401
    assert received(settings) == []


def test_oversized_delivery_is_refused(kafka_bootstrap: str) -> None:
    settings = fresh_settings(kafka_bootstrap, ingest_max_body_bytes=2048)
    with TestClient(ingest_app(settings)) as client:
        body = encode(fb_comment("1", "x" * 4000, at=NOW_S))
        assert client.post("/webhooks/meta", content=body,
                           headers=meta_signed(body)).status_code == 413


def test_kafka_down_answers_503_and_the_retry_is_accepted(
        client: TestClient, settings: IngestSettings) -> None:
    healthy = client.app.state.publisher
    # A producer whose only broker address refuses connections: Kafka is down.
    dead = EventPublisher.connect("127.0.0.1:1", "test", warm_topic=None, max_in_flight=10,
                                  ack_timeout_s=1.0)
    client.app.state.publisher = dead
    body = encode(fb_comment("2", "anyone?", at=NOW_S))
    down = client.post("/webhooks/meta", content=body, headers=meta_signed(body))
    assert down.status_code == 503 and int(down.headers["Retry-After"]) >= 1
    assert client.get("/readyz").status_code == 503
    dead.close(timeout_s=1)
    client.app.state.publisher = healthy
    retried = client.post("/webhooks/meta", content=body, headers=meta_signed(body))
    assert retried.status_code == 200 and retried.json()["accepted"] == 1
    assert [r[2].message.platform_message_id for r in received(settings)] == ["555_2"]


def test_rate_limit_per_source_answers_429(kafka_bootstrap: str) -> None:
    settings = fresh_settings(kafka_bootstrap, ingest_rate_per_s=0.5, ingest_rate_burst=2,
                              meta_app_secrets=META_SECRETS)
    with TestClient(ingest_app(settings)) as client:
        body = b'{"object": "page", "entry": []}'
        codes = [client.post("/webhooks/meta", content=body, headers=meta_signed(body))
                 for _ in range(3)]
        assert [c.status_code for c in codes] == [200, 200, 429]
        assert int(codes[2].headers["Retry-After"]) >= 1
        # Another source has its own bucket.
        api = client.post("/v1/messages", content=b"{}", headers={"X-API-Key": "dev-ingest-key"})
        assert api.status_code == 422
