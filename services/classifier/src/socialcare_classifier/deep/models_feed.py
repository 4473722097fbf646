"""The deep stage's model topic: every deep worker reads all of it (no consumer group) and
activates the latest model of each kind: the sentiment head (``train-deep-sentiment``) and a
brand's intent prototypes (``train-intent-prototypes``, kind ``intents@<brand>``, which no
other kind can be). A record a worker cannot use is logged and ignored: the previous model
stays active."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from socialcare_classifier.domain.deep_sentiment import DeepSentimentHead
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.cloudevents import InvalidEvent
from socialcare_contracts.events import DeepModelChanged
from socialcare_runtime.compacted import follow_compacted
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import EventPublisher, Outgoing
from socialcare_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)
SENTIMENT = "sentiment"
INTENTS_OF = "intents@"


def intents_kind(brand: str) -> str:
    """The key and kind of a brand's intent prototypes."""
    return f"{INTENTS_OF}{brand.lower()}"


async def follow_deep_models(settings: ServiceSettings,
                             apply: Callable[[DeepModelChanged], None],
                             caught_up: asyncio.Event | None = None) -> None:
    """Reads the topic from the start for ever; sets ``caught_up`` once at its end."""
    def on_record(record: Any) -> None:
        try:
            apply(cloudevents.decode(record.value, record.headers, DeepModelChanged).data)
        except InvalidEvent as exc:
            log.warning("deep model record at offset %d ignored: %s", record.offset, exc)

    await follow_compacted(settings.kafka_bootstrap, settings.topic(topics.DEEP_MODELS),
                           on_record, caught_up, topics.RULES_MAX_RECORD_BYTES)


async def read_active_models(settings: ServiceSettings,
                             timeout_s: float = 30.0) -> dict[str, DeepModelChanged]:
    """The latest change of each kind on the topic, as deep workers hold them now."""
    ensure_socialcare_topics(settings)
    latest: dict[str, DeepModelChanged] = {}
    caught_up = asyncio.Event()
    reader = asyncio.create_task(follow_deep_models(
        settings, lambda change: latest.__setitem__(change.kind, change), caught_up))
    try:
        await asyncio.wait_for(caught_up.wait(), timeout_s)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    return latest


async def read_active_head(settings: ServiceSettings,
                           timeout_s: float = 30.0) -> DeepSentimentHead | None:
    """The sentiment head deep workers run now (None: none is active)."""
    change = (await read_active_models(settings, timeout_s)).get(SENTIMENT)
    return DeepSentimentHead.from_dict(change.model) if change and change.model else None


def publish_head(settings: ServiceSettings, head: DeepSentimentHead | None,
                 changed_by: str) -> str:
    """Activates ``head`` on every deep worker (None: no head, the fast stage's sentiment
    stands); returns the event id once Kafka acknowledged it."""
    return publish_model(settings, SENTIMENT, head.version if head else "none",
                         head.to_dict() if head else None, changed_by)


def publish_model(settings: ServiceSettings, kind: str, version: str,
                  model: dict[str, Any] | None, changed_by: str) -> str:
    """Activates the artifact ``model`` of ``kind`` on every deep worker (None: removes
    it); returns the event id once Kafka acknowledged it."""
    change = DeepModelChanged(kind=kind, version=version, model=model, changed_by=changed_by,
                              changed_at=datetime.now(UTC))
    ensure_socialcare_topics(settings)
    name = settings.topic(topics.DEEP_MODELS)
    publisher = EventPublisher.connect(settings.kafka_bootstrap, "socialcare-classifier-admin",
                                       warm_topic=name)
    try:
        return asyncio.run(publisher.publish([Outgoing(name, kind, change)]))[0]
    finally:
        publisher.close()
