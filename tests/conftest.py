"""The real Kafka and MongoDB-protocol server for integration and e2e tests.

Started (or reused) by the project's own infrastructure code once per session, or taken
from SOCIALCARE_KAFKA_BOOTSTRAP / SOCIALCARE_MONGO_URL when those point at external
servers. Only what this session started is stopped at the end, unless
SOCIALCARE_KEEP_INFRA=1. On the local broker, the topics the session created are deleted
at its end (SOCIALCARE_KEEP_TOPICS=1 keeps them to look at); an external broker's are
never touched.
"""

import os
from collections.abc import Iterator

import pytest

from socialcare_contracts import topics
from socialcare_local.infra import Endpoints, ensure_infra, stop_infra
from socialcare_runtime.kafka_admin import delete_topics, topic_names


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
    endpoints = ensure_infra()
    # Tests and the stacks they start create topics under prefixes of their own. The local
    # broker is reused from run to run, and every partition holds open files: left behind,
    # a few full runs exhaust its file limit ("Too many open files") and it stops serving.
    local_kafka = not os.environ.get("SOCIALCARE_KAFKA_BOOTSTRAP")
    before = topic_names(endpoints.kafka_bootstrap) if local_kafka else set()
    yield endpoints
    if local_kafka and not os.environ.get("SOCIALCARE_KEEP_TOPICS"):
        delete_topics(endpoints.kafka_bootstrap, topic_names(endpoints.kafka_bootstrap)
                      - before - {t for t in topics.ALL})
    if endpoints.started and not os.environ.get("SOCIALCARE_KEEP_INFRA"):
        stop_infra(endpoints.started)


@pytest.fixture(scope="session")
def kafka_bootstrap(infra: Endpoints) -> str:
    return infra.kafka_bootstrap


@pytest.fixture(scope="session")
def mongo_url(infra: Endpoints) -> str:
    return infra.mongo_url
