"""Fixtures shared by integration and end-to-end tests: the real Kafka and MongoDB server.

They are started (or reused) by the project's own infrastructure code, or taken from
SOCIALCARE_KAFKA_BOOTSTRAP / SOCIALCARE_MONGO_URL when those point at external servers.
"""

import pytest

from socialcare_local.infra import Endpoints, ensure_infra


@pytest.fixture(scope="session")
def infra() -> Endpoints:
    return ensure_infra()


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Endpoints) -> str:
    return infra.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_url(infra: Endpoints) -> str:
    return infra.mongo_url
