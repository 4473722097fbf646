import pytest

from socialcare_ingest.domain.ratelimit import RateLimiter

pytestmark = pytest.mark.unit


def test_bucket_allows_a_burst_then_the_steady_rate() -> None:
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.acquire("x", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("x", 0.0) == pytest.approx(0.5)
    assert limiter.acquire("x", 0.5) == 0.0  # one token back after 1/rate seconds
    assert limiter.acquire("meta", 0.5) == 0.0  # each source has its own bucket


def test_idle_sources_are_forgotten_when_the_table_is_full() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, max_sources=2)
    limiter.acquire("a", 0.0)
    limiter.acquire("b", 0.0)
    assert limiter.acquire("c", 10.0) == 0.0
    assert len(limiter._buckets) <= 2

