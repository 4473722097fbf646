"""X API v2 recent search over HTTP, with the API's rate-limit and error signals typed."""

from typing import Any

import httpx

SEARCH_PATH = "/2/tweets/search/recent"
USER_FIELDS = "username,name,public_metrics,verified"
TWEET_FIELDS = "created_at,author_id,conversation_id,referenced_tweets,lang"


class SearchError(RuntimeError):
    """The page could not be read; try again after ``retry_after_s`` (None: backoff)."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


class XSearchClient:
    def __init__(self, client: httpx.AsyncClient, bearer_token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {bearer_token}"}

    async def page(self, query: str, since_id: str | None, next_token: str | None,
                   max_results: int, now: float) -> dict[str, Any]:
        """One page of results; ``now`` (epoch seconds) turns the reset header into a wait."""
        params = {"query": query, "max_results": str(max_results), "expansions": "author_id",
                  "user.fields": USER_FIELDS, "tweet.fields": TWEET_FIELDS}
        if since_id:
            params["since_id"] = since_id
        if next_token:
            params["next_token"] = next_token
        try:
            response = await self.client.get(SEARCH_PATH, params=params, headers=self.headers)
        except httpx.HTTPError as exc:
            raise SearchError(f"X search unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429:
            reset = response.headers.get("x-rate-limit-reset", "")
            wait = float(reset) - now if reset.isdigit() else None
            raise SearchError("rate limited", max(1.0, wait) if wait is not None else None)
        if response.status_code >= 500:
            raise SearchError(f"X search answered {response.status_code}")
        if response.status_code != 200:
            raise SearchError(f"X search refused the request: {response.status_code} "
                              f"{response.text[:200]}", retry_after_s=None)
        try:
            body = response.json()
        except ValueError:
            raise SearchError("X search answered with malformed JSON") from None
        if not isinstance(body, dict):
            raise SearchError("X search answered with a non-object JSON body")
        return body
