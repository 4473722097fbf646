"""A single-node Apache Kafka broker in KRaft mode, configured and formatted from Python."""

import base64
import subprocess
import uuid
from pathlib import Path

from socialcare_local.paths import LocalPaths, LocalPorts
from socialcare_runtime.kafka_admin import kafka_reachable

NAME = "kafka"
MARKER = "kafka.Kafka"
# Every test run makes topics of its own: with 16,000 partitions a 512 MiB broker ran out
# of heap answering metadata requests.
HEAP = "-Xmx1g"


def server_properties(ports: LocalPorts, data_dir: Path) -> str:
    """The broker+controller configuration for one node on 127.0.0.1."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{ports.kafka_controller}",
        "listeners": (
            f"PLAINTEXT://127.0.0.1:{ports.kafka},CONTROLLER://127.0.0.1:{ports.kafka_controller}"
        ),
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{ports.kafka}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": "6",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        # One member joins a group at a time locally; waiting 3 s for more only slows tests.
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def log4j_properties() -> str:
    """Warnings and errors only, on stdout (which the supervisor appends to kafka.log)."""
    return (
        "log4j.rootLogger=WARN, stdout\n"
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
    )


def new_cluster_id() -> str:
    """A Kafka cluster id, as ``StorageTool random-uuid`` makes it, without starting a JVM."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka refuses ids that look like a command-line flag
            return text


def prepare(paths: LocalPaths, ports: LocalPorts, lib: Path) -> list[str]:
    """Writes the configuration, formats the storage on first use; returns the command."""
    home = paths.state / "kafka"
    data = home / "data"
    data.mkdir(parents=True, exist_ok=True)
    config = home / "server.properties"
    config.write_text(server_properties(ports, data))
    log4j = home / "log4j.properties"
    log4j.write_text(log4j_properties())
    classpath = str(lib / "*")
    if not (data / "meta.properties").exists():
        done = subprocess.run(
            ["java", "-cp", classpath, "kafka.tools.StorageTool", "format",
             "-t", new_cluster_id(), "-c", str(config)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"formatting Kafka storage failed:\n{done.stdout}{done.stderr}")
    return ["java", HEAP, f"-Dlog4j.configuration=file:{log4j}", "-cp", classpath,
            MARKER, str(config)]


def healthy(bootstrap: str) -> bool:
    """True when a broker answers a metadata request."""
    return kafka_reachable(bootstrap, timeout_s=2.0)
