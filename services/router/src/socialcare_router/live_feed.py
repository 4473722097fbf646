"""Live inbox views: conversation updates from Kafka fanned out to server-sent-event clients.

Each API process consumes ``conversations.updated`` in a consumer group of its own from
the latest offset (a live view needs what happens from now on, not history). Every client
has a bounded queue; a client that falls that far behind is disconnected rather than
buffered without end, and reloads its view when its EventSource reconnects.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer

from socialcare_contracts.cloudevents import InvalidEvent, decode
from socialcare_contracts.events import ConversationUpdated

log = logging.getLogger(__name__)
HEARTBEAT_S = 15.0


class TooManyClients(RuntimeError):
    pass


class Subscription:
    def __init__(self, queue_filter: str | None, size: int) -> None:
        self.queue_filter = queue_filter
        self.events: asyncio.Queue[ConversationUpdated | None] = asyncio.Queue(size)

    def offer(self, update: ConversationUpdated) -> bool:
        """Queues the update if it concerns this client; False when the client is too slow."""
        if self.queue_filter is not None and update.queue != self.queue_filter:
            return True
        try:
            self.events.put_nowait(update)
            return True
        except asyncio.QueueFull:
            return False


class LiveFeed:
    def __init__(self, bootstrap: str, topic: str, group_prefix: str, max_clients: int,
                 client_queue: int) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.group = f"{group_prefix}socialcare-inbox-live-{uuid.uuid4().hex[:12]}"
        self.max_clients = max_clients
        self.client_queue = client_queue
        self.clients: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        """Joins the topic at its end; returns once partitions are assigned."""
        self._consumer = AIOKafkaConsumer(
            self.topic, bootstrap_servers=self.bootstrap, group_id=self.group,
            auto_offset_reset="latest", enable_auto_commit=False)
        await self._consumer.start()
        while not self._consumer.assignment():
            await asyncio.sleep(0.05)
            await self._consumer.getmany(timeout_ms=50)
        for partition in self._consumer.assignment():
            await self._consumer.seek_to_end(partition)
        self._task = asyncio.create_task(self._fan_out())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    async def _fan_out(self) -> None:
        assert self._consumer is not None
        async for record in self._consumer:
            try:
                update = decode(record.value, record.headers, ConversationUpdated).data
            except InvalidEvent:
                log.warning("live feed skipped an undecodable record at offset %d",
                            record.offset)
                continue
            for client in list(self.clients):
                if not client.offer(update):
                    self.disconnect(client)

    def subscribe(self, queue_filter: str | None) -> Subscription:
        """A new client's subscription; TooManyClients beyond the limit."""
        if len(self.clients) >= self.max_clients:
            raise TooManyClients(f"{self.max_clients} live clients already")
        client = Subscription(queue_filter, self.client_queue)
        self.clients.add(client)
        return client

    def disconnect(self, client: Subscription) -> None:
        """Ends a client's stream (too slow, or gone)."""
        if client in self.clients:
            self.clients.discard(client)
            # Make room so the end marker always fits, even in a full queue.
            with contextlib.suppress(asyncio.QueueEmpty):
                client.events.get_nowait()
            client.events.put_nowait(None)

    async def stream(self, client: Subscription) -> AsyncIterator[str]:
        """Server-sent events for one client, with heartbeats so proxies keep it open."""
        try:
            while True:
                try:
                    update = await asyncio.wait_for(client.events.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield ": heartbeat\n\n"
                    continue
                if update is None:
                    yield "event: overflow\ndata: {}\n\n"
                    return
                yield f"event: conversation\nid: {update.conversation_id}\n" \
                      f"data: {update.model_dump_json()}\n\n"
        finally:
            self.clients.discard(client)
