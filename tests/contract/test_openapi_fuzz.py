"""The OpenAPI documents say the truth: schemathesis, every check, against the real apps.

Each API is served in this process (uvicorn on a free port) backed by the real Kafka and
MongoDB-protocol server, and the schemathesis CLI runs every phase (examples, coverage,
fuzzing, stateful links) with all checks, a fixed seed and a bounded number of examples.
Any 5xx, undocumented status, body or header, schema-valid request refused or invalid one
accepted fails the test. Adding an API is one ``FuzzedApi`` entry in ``APIS``.
"""

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from opentelemetry import trace
from pymongo import AsyncMongoClient, MongoClient

from socialcare_classifier.admin_api import create_api
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import topics
from socialcare_ingest.app import create_app
from socialcare_ingest.bootstrap import connect_publisher
from socialcare_ingest.settings import IngestSettings
from socialcare_router import api as inbox_api
from socialcare_router.adapters.store import Store
from socialcare_router.settings import InboxUser, RouterSettings
from socialcare_runtime.kafka_admin import ensure_topics
from socialcare_runtime.mongo import connect
from socialcare_runtime.publisher import EventPublisher
from tests.integration.router_helpers import seed

pytestmark = [pytest.mark.contract, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
SEED = 20261203
MAX_EXAMPLES = 25
KEY = "fuzz-key-0123456789"
ADMIN_KEY = "fuzz-admin-key-0123456789"


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    mongo_url: str


@dataclass(frozen=True)
class FuzzedApi:
    """An app to fuzz: how to build it on fresh topics and database, and the headers that
    let schemathesis past its keys."""

    name: str
    build: Callable[[Endpoints], AbstractContextManager[Any]]
    headers: dict[str, str]


def _prefix() -> str:
    return f"fz{uuid.uuid4().hex[:10]}."


@contextmanager
def ingest(endpoints: Endpoints) -> Iterator[Any]:
    # One key for the API channel and the listening admin: both read X-API-Key.
    settings = IngestSettings(kafka_bootstrap=endpoints.kafka_bootstrap, topic_partitions=1,
                              topic_prefix=_prefix(), ingest_api_keys={"fuzz": KEY},
                              ingest_admin_keys=[KEY])
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    try:
        yield create_app(settings, lambda: connect_publisher(settings), trace.get_tracer("fuzz"),
                         AsyncMongoClient(endpoints.mongo_url)[name])
    finally:
        with MongoClient(endpoints.mongo_url) as client:
            client.drop_database(name)


@contextmanager
def classifier_admin(endpoints: Endpoints) -> Iterator[Any]:
    yield create_api(ClassifierSettings(kafka_bootstrap=endpoints.kafka_bootstrap,
                                        topic_partitions=1, topic_prefix=_prefix(),
                                        classifier_admin_keys={KEY: "fuzzer"}))


# The conversations schemathesis.toml's dictionary names (ids are derived from the first
# message: c_ + sha256("x:acme:m<i>")[:24]).
SEEDED_IDS = ["c_3da3d322bfb38d9808a2f22c", "c_f4a7f442059a3ffd9121c61f",
              "c_9fa9d0434f77bf40027ac6de"]


async def _seed_conversations(mongo_url: str, database: str) -> list[str]:
    client = connect(mongo_url, "fuzz-router-seed")
    try:
        store = Store(client, database)
        await store.create_indexes()
        return await seed(store, len(SEEDED_IDS))
    finally:
        await client.close()


@contextmanager
def router_inbox(endpoints: Endpoints) -> Iterator[Any]:
    # A supervisor reads and changes everything the inbox serves; the admin is an agent
    # profile to find. Listening edits are relayed to a real ingest app, as deployed.
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    ids = asyncio.run(_seed_conversations(endpoints.mongo_url, name))
    with ingest(endpoints) as ingest_app, served(ingest_app) as ingest_url:
        settings = RouterSettings(
            kafka_bootstrap=endpoints.kafka_bootstrap, topic_partitions=1,
            topic_prefix=_prefix(), listening_api_url=ingest_url, listening_admin_key=KEY,
            inbox_users={KEY: InboxUser(id="fuzz-sup", name="Fuzz Supervisor",
                                        role="supervisor"),
                         ADMIN_KEY: InboxUser(id="fuzz-admin", name="Fuzz Admin",
                                              role="admin")})
        ensure_topics(endpoints.kafka_bootstrap, [settings.topic(t) for t in topics.ALL], 1, 1)
        client = connect(endpoints.mongo_url, "fuzz-router")
        try:
            assert ids == SEEDED_IDS, "schemathesis.toml names other conversations"
            yield inbox_api.create_app(
                settings, Store(client, name), lambda: EventPublisher.connect(
                    endpoints.kafka_bootstrap, "fuzz-inbox",
                    warm_topic=settings.topic(topics.REPLIES_REQUESTED)),
                trace.get_tracer("fuzz"))
        finally:
            with MongoClient(endpoints.mongo_url) as sync_client:
                sync_client.drop_database(name)


APIS = (
    FuzzedApi("ingest", ingest, {"X-API-Key": KEY}),
    FuzzedApi("classifier-admin", classifier_admin, {"X-Admin-Key": KEY}),
    FuzzedApi("router-inbox", router_inbox, {"X-API-Key": KEY}),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread (its lifespan run), until the block ends."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="fuzzed-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.mark.parametrize("api", APIS, ids=lambda api: api.name)
def test_the_openapi_document_is_what_the_api_does(api: FuzzedApi, kafka_bootstrap: str,
                                                   mongo_url: str, tmp_path: Path) -> None:
    cli = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    with api.build(Endpoints(kafka_bootstrap, mongo_url)) as app, served(app) as url:
        headers = [arg for name, value in api.headers.items() for arg in ("-H", f"{name}: {value}")]
        run = subprocess.run(
            [cli, "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
             "run", f"{url}/openapi.json", "--checks", "all", "--seed", str(SEED),
             "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
             "--phases", "examples,coverage,fuzzing,stateful", "--request-timeout", "20",
             "--report-dir", str(tmp_path), *headers],
            capture_output=True, text=True, timeout=240, cwd=ROOT,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.contract.openapi_fuzz_hooks",
                 "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
    assert run.returncode == 0, run.stdout[-12_000:] + run.stderr[-2_000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert generated and generated[1] == generated[2] and int(generated[1]) > 100, \
        run.stdout[-4_000:]
