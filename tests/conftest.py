"""The real Kafka and MongoDB-protocol server for integration and e2e tests.

Started (or reused) by the project's own infrastructure code once per session, or taken
from SOCIALCARE_KAFKA_BOOTSTRAP / SOCIALCARE_MONGO_URL when those point at external
servers. Only what this session started is stopped at the end, unless
SOCIALCARE_KEEP_INFRA=1.
"""

import os
from collections.abc import Iterator

import pytest

from socialcare_local.infra import Endpoints, ensure_infra, stop_infra


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
    endpoints = ensure_infra()
    yield endpoints
    if endpoints.started and not os.environ.get("SOCIALCARE_KEEP_INFRA"):
        stop_infra(endpoints.started)


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Endpoints) -> str:
    return infra.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_url(infra: Endpoints) -> str:
    return infra.mongo_url
