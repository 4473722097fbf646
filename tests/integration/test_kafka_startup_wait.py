"""A service that starts before Kafka waits for it, within a bound, instead of exiting."""

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from kafka.errors import KafkaError

from socialcare_contracts import topics
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def relay(a: socket.socket, b: socket.socket) -> None:
    try:
        while data := a.recv(65536):
            b.sendall(data)
    except OSError:
        pass
    finally:
        b.close()


@contextmanager
def broker_appearing_after(delay_s: float, broker: str) -> Iterator[str]:
    """A bootstrap address where nothing listens for ``delay_s``, then the real broker does.

    Only bootstrap goes through the relay: the broker's metadata names its own address.
    """
    port = free_port()
    host, _, broker_port = broker.rpartition(":")
    stop = threading.Event()

    def serve() -> None:
        time.sleep(delay_s)
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection((host, int(broker_port)))
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=relay, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join()


def settings_for(bootstrap: str, wait_s: float) -> ServiceSettings:
    return ServiceSettings(kafka_bootstrap=bootstrap, kafka_startup_wait_s=wait_s,
                           topic_prefix=f"w{uuid.uuid4().hex[:8]}.", topic_partitions=1,
                           _env_file=None)


def test_topics_are_created_once_a_late_broker_answers(kafka_bootstrap: str) -> None:
    with broker_appearing_after(3.0, kafka_bootstrap) as late:
        started = time.monotonic()
        settings = settings_for(late, wait_s=60)
        created = ensure_socialcare_topics(settings)
    assert time.monotonic() - started >= 3.0
    assert set(created) == {settings.topic(t) for t in topics.ALL}


def test_a_broker_that_never_answers_fails_after_the_wait() -> None:
    started = time.monotonic()
    with pytest.raises(KafkaError):
        ensure_socialcare_topics(settings_for(f"127.0.0.1:{free_port()}", wait_s=2))
    assert 2 <= time.monotonic() - started < 10
