"""The classifier stream: received messages in, classified messages out."""

import logging

import faust
from cachetools import LRUCache
from opentelemetry import trace

from socialcare_classifier.adapters.rules_feed import TaxonomyRegistry, follow_rules
from socialcare_classifier.domain.classify import ClassifierRules, classify
from socialcare_classifier.domain.contacts import count_recent
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import topics
from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.events import MessageClassified, MessageReceived
from socialcare_runtime.compacted import keep_following
from socialcare_runtime.streams import (
    RecordProcessor,
    create_app,
    derived_event_id,
    raw_topic,
    send_event,
)

SERVICE = "socialcare-classifier"
log = logging.getLogger(__name__)


def build_app(settings: ClassifierSettings, tracer: trace.Tracer,
              rules: ClassifierRules | None = None) -> faust.App:
    """Wires the classify agent; the same input always yields the same output event."""
    app = create_app(SERVICE, settings)
    processor = RecordProcessor(app, settings, SERVICE, tracer)
    received = raw_topic(app, settings.topic(topics.MESSAGES_RECEIVED))
    classified = raw_topic(app, settings.topic(topics.MESSAGES_CLASSIFIED))
    active_rules = rules or ClassifierRules()
    registry = TaxonomyRegistry()
    # In memory, not a faust Table: with a table, faust-streaming 0.15.3's recovery after a
    # rebalance drops records that arrive while it holds the streams (skipped, never
    # processed, and the partition's commits stall behind them). A worker that takes over
    # a partition starts its customers' history afresh: a repeat count can be low for up
    # to one window after a rebalance, never a message lost.
    contacts: LRUCache[str, dict[str, float]] = LRUCache(maxsize=settings.repeat_max_keys)
    window_s = settings.repeat_window_hours * 3600

    async def handle(envelope: Envelope[MessageReceived]) -> None:
        message = envelope.data.message
        key = message.conversation_key()
        recent, history = count_recent(contacts.get(key, {}), message.platform_message_id,
                                       message.created_at.timestamp(), window_s,
                                       settings.repeat_max_tracked)
        await registry.ready.wait()
        result = classify(message, active_rules, registry.get(message.brand_account), recent,
                          registry.sentiment_model_for(message.brand_account))
        await send_event(classified, key,
                         MessageClassified(message=message, classification=result), SERVICE,
                         event_id=derived_event_id(envelope.id, result.model_version))
        contacts[key] = history

    @app.task
    async def rules_feed() -> None:
        await keep_following("rules feed", lambda: follow_rules(settings, registry))

    @app.agent(received, name="classify")
    async def classify_agent(stream: faust.StreamT) -> None:
        await processor.run(stream, MessageReceived, handle, "classify")

    return app
