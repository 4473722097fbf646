"""The listening poller as its own process, as an operator runs it, against a local X search.

``python -m socialcare_ingest`` (rules API) and ``python -m socialcare_ingest poller`` run
as processes on the shared Kafka and MongoDB server, with their own topic prefix and
database. A rule set is saved over HTTP; matching tweets must reach the topic, once each,
also across a restart of the poller (its checkpoint is in MongoDB).
"""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from services.ingest.tests.kafka_support import received
from socialcare_ingest.settings import IngestSettings
from socialcare_local.infra import Endpoints
from tests.e2e.stack import ARTIFACTS, eventually, free_port
from tests.fakes.x_search_server import FakeXSearch

pytestmark = pytest.mark.e2e
ADMIN = {"X-API-Key": "dev-ingest-admin-key"}


@contextmanager
def ingest_process(command: list[str], env: dict[str, str], log: Path
                   ) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m socialcare_ingest COMMAND`` with its output in ``log``; stopped after."""
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "socialcare_ingest", *command],
                                   env=os.environ | env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture
def fake_x() -> Iterator[FakeXSearch]:
    with FakeXSearch() as fake:
        yield fake


@pytest.fixture
def env(infra: Endpoints, mongo_url: str, fake_x: FakeXSearch) -> Iterator[dict[str, str]]:
    run = uuid.uuid4().hex[:8]
    database = f"e2e_poller_{run}"
    yield {"SOCIALCARE_KAFKA_BOOTSTRAP": infra.kafka_bootstrap, "SOCIALCARE_MONGO_URL": mongo_url,
           "SOCIALCARE_MONGO_DATABASE": database, "SOCIALCARE_TOPIC_PREFIX": f"e2epoll{run}.",
           "SOCIALCARE_TOPIC_PARTITIONS": "1", "SOCIALCARE_INGEST_PORT": str(free_port()),
           "SOCIALCARE_X_API_BASE_URL": fake_x.base_url,
           "SOCIALCARE_LISTENING_BEARER_TOKENS": '["test-bearer"]',
           "SOCIALCARE_LISTENING_INTERVAL_S": "0.5"}
    with MongoClient(mongo_url) as client:
        client.drop_database(database)


def topic_ids(settings: IngestSettings) -> list[str]:
    return sorted(r[2].message.platform_message_id for r in received(settings))


def test_poller_process_publishes_matches_once_across_a_restart(
        env: dict[str, str], fake_x: FakeXSearch) -> None:
    settings = IngestSettings(kafka_bootstrap=env["SOCIALCARE_KAFKA_BOOTSTRAP"],
                              topic_prefix=env["SOCIALCARE_TOPIC_PREFIX"])
    fake_x.add_tweet(101, "@acme my order is late")
    fake_x.add_tweet(102, "is acme down again?")
    fake_x.add_tweet(99, "nothing to do with the brand")
    logs = ARTIFACTS / f"poller-{env['SOCIALCARE_TOPIC_PREFIX'].rstrip('.')}"
    logs.mkdir(parents=True, exist_ok=True)
    api_url = f"http://127.0.0.1:{env['SOCIALCARE_INGEST_PORT']}"
    with ingest_process([], env, logs / "ingest.log"):
        eventually(lambda: _ready(api_url), "ingest API ready", 60)
        saved = httpx.put(f"{api_url}/v1/listening/rules/acme", headers=ADMIN, timeout=10,
                          json={"brand_account": "acmeshop", "brand_names": ["acme"]})
        assert saved.status_code == 200, saved.text
        with ingest_process(["poller"], env, logs / "poller.log") as poller:
            eventually(lambda: topic_ids(settings) == ["101", "102"], "first matches", 60)
            poller.send_signal(signal.SIGTERM)
            assert poller.wait(20) == 0  # a clean stop: publisher flushed, cursor saved
        requests_before = len(fake_x.requests)
        fake_x.add_tweet(103, "acme support please")
        with ingest_process(["poller"], env, logs / "poller.log"):
            eventually(lambda: "103" in topic_ids(settings), "the match after the restart", 60)
            # A few more cycles: nothing already published comes again.
            eventually(lambda: len(fake_x.requests) > requests_before + 3, "more cycles", 30)
        assert topic_ids(settings) == ["101", "102", "103"]
        # The restarted poller asked only for what is newer than its checkpoint.
        assert fake_x.requests[requests_before]["since_id"] == "102"
        assert all(r.get("query", "").count("acme") for r in fake_x.requests)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
