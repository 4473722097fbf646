"""mongo-java-server on an H2 file: the local MongoDB wire-protocol server."""

from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from socialcare_local.paths import JAVA_DIR, LocalPaths, LocalPorts

NAME = "mongo"
MARKER = "MongoLauncher.java"
# 512 MiB ran out with 100,000 conversations stored (bench.inbox_open_work on the release
# before open_work): H2 keeps its page cache and a query's whole result on the heap.
HEAP = "-Xmx1g"


def prepare(paths: LocalPaths, ports: LocalPorts, lib: Path) -> list[str]:
    """Makes the data folder; returns the command (Java's single-file source mode)."""
    home = paths.state / "mongo"
    home.mkdir(parents=True, exist_ok=True)
    # slf4j-simple logs every client connection at INFO; the launcher prints its own start line.
    return [
        "java", HEAP, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", str(lib / "*"),
        str(JAVA_DIR / MARKER), str(ports.mongo), str(home / "socialcare.mv.db"),
    ]


def healthy(url: str) -> bool:
    """True when the server answers ``ping`` (it has no ``hello`` command)."""
    client: MongoClient = MongoClient(url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()
