"""The OpenAPI documents say the truth: schemathesis, every check, against the real apps.

Each API is served in this process (uvicorn on a free port) backed by the real Kafka and
MongoDB-protocol server, and the schemathesis CLI runs every phase (examples, coverage,
fuzzing, stateful links) with all checks, a fixed seed and a bounded number of examples.
Any 5xx, undocumented status, body or header, schema-valid request refused or invalid one
accepted fails the test. Adding an API is one ``FuzzedApi`` entry in ``APIS``.
"""

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
from socialcare_ingest.app import create_app
from socialcare_ingest.bootstrap import connect_publisher
from socialcare_ingest.settings import IngestSettings

pytestmark = [pytest.mark.contract, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
SEED = 20261203
MAX_EXAMPLES = 25
KEY = "fuzz-key-0123456789"


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


APIS = (
    FuzzedApi("ingest", ingest, {"X-API-Key": KEY}),
    FuzzedApi("classifier-admin", classifier_admin, {"X-Admin-Key": KEY}),
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
