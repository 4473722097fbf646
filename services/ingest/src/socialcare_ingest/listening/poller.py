"""The listening poller: every cycle, each enabled rule set's new matches go to Kafka.

Rules are re-read from MongoDB every cycle, so changes apply without a restart. Progress
(since_id, or the page token mid-way through a run) is saved after Kafka acknowledged the
page, so a restart neither loses nor re-publishes a page (a re-published one is the same
event anyway).
"""

import asyncio
import logging
import random
import signal
import time

import httpx

from socialcare_ingest.adapters import Rejected
from socialcare_ingest.adapters.x import search_page
from socialcare_ingest.bootstrap import connect_database, connect_publisher
from socialcare_ingest.delivery import FrontDoor, Unavailable
from socialcare_ingest.domain.listening import ListeningRules
from socialcare_ingest.listening.store import Cursor, ListeningStore
from socialcare_ingest.listening.x_search import SearchError, XSearchClient
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.publisher import EventPublisher

log = logging.getLogger(__name__)


class Poller:
    def __init__(self, settings: IngestSettings, store: ListeningStore, search: XSearchClient,
                 publisher: EventPublisher, door: FrontDoor) -> None:
        self.settings = settings
        self.store = store
        self.search = search
        self.publisher = publisher
        self.door = door
        self.failures = 0
        self.published = 0

    async def cycle(self) -> None:
        """Polls every enabled rule set once; raises what should delay the next cycle."""
        for rule_set, rules in (await self.store.all()).items():
            if rules.enabled:
                await self.poll(rule_set, rules)

    async def poll(self, rule_set: str, rules: ListeningRules) -> None:
        """Reads new matches page by page (newest first), saving the cursor after each."""
        query = rules.query()
        cursor = await self.store.cursor(rule_set, query)
        for _ in range(self.settings.listening_max_pages):
            body = await self.search.page(query, cursor.since_id, cursor.next_token,
                                          self.settings.listening_max_results, time.time())
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            try:
                messages = search_page(body, rules.brand_account, frozenset(rules.brand_user_ids))
            except Rejected as exc:
                raise SearchError(f"unusable search page: {exc}") from exc
            if messages:
                await self.door.publish(self.publisher, messages, "listening")
                self.published += len(messages)
            newest = cursor.newest_id or _text(meta.get("newest_id"))
            token = _text(meta.get("next_token"))
            cursor = (Cursor(cursor.since_id, token, newest) if token
                      else Cursor(newest or cursor.since_id))
            await self.store.save_cursor(rule_set, query, cursor)
            if not token:
                return
        log.info("rule set %s has more pages; continuing next cycle", rule_set)

    async def run(self, stop: asyncio.Event) -> None:
        """Cycles until ``stop`` is set; errors delay the next cycle, never end the loop."""
        while not stop.is_set():
            delay = self.settings.listening_interval_s
            try:
                await self.cycle()
                self.failures = 0
            except SearchError as exc:
                delay = exc.retry_after_s if exc.retry_after_s is not None else self._backoff()
                log.warning("listening: %s; next cycle in %.1fs", exc, delay)
            except Unavailable:
                delay = self._backoff()
                log.warning("listening: Kafka unavailable; next cycle in %.1fs", delay)
            except Exception:
                delay = self._backoff()
                log.exception("listening cycle failed; next cycle in %.1fs", delay)
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                pass

    def _backoff(self) -> float:
        self.failures += 1
        base = min(self.settings.listening_max_backoff_s, 2.0 ** min(self.failures, 12))
        return base * random.uniform(0.5, 1.0)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


async def run_poller(settings: IngestSettings, stop: asyncio.Event | None = None) -> None:
    """Composition root of the poller process; without ``stop``, SIGTERM and SIGINT end it."""
    if stop is None:
        # Stop between cycles, so the publisher is flushed and the cursor saved on the way out.
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    db = connect_database(settings, "socialcare-ingest-poller")
    store = ListeningStore(db)
    await store.ensure_indexes()
    publisher = await asyncio.to_thread(connect_publisher, settings, "socialcare-ingest-poller")
    async with httpx.AsyncClient(base_url=settings.x_api_base_url, timeout=30.0) as http:
        poller = Poller(settings, store, XSearchClient(http, settings.listening_bearer_tokens[0]),
                        publisher, FrontDoor(settings))
        try:
            await poller.run(stop)
        finally:
            publisher.close()
            await db.client.close()
