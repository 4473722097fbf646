"""MongoDB client factory: PyMongo's native async API (``AsyncMongoClient``)."""

from pymongo import AsyncMongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout

# Errors where the same write will succeed later: retry, never dead-letter.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (AutoReconnect, ConnectionFailure, NetworkTimeout)


def connect(url: str, app_name: str) -> AsyncMongoClient:
    """A client that returns timezone-aware UTC datetimes, so SLA arithmetic never mixes kinds."""
    return AsyncMongoClient(
        url,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=5_000,
        connectTimeoutMS=5_000,
    )
