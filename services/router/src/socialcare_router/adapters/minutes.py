"""Whole minutes as document keys: the timer buckets and the per-minute counts are both
one document per minute, read by ``_id``."""

from datetime import UTC, datetime

MINUTE_FORMAT = "%Y-%m-%dT%H:%M"


def aware(at: datetime) -> datetime:
    # The driver hands back naive UTC datetimes unless the client asks for aware ones.
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def minute_of(at: datetime) -> datetime:
    return aware(at).replace(second=0, microsecond=0)


def minute_key(at: datetime) -> str:
    """``2026-12-03T13:05`` for any time in that UTC minute."""
    return aware(at).strftime(MINUTE_FORMAT)


def from_key(key: str) -> datetime:
    return datetime.strptime(key, MINUTE_FORMAT).replace(tzinfo=UTC)
