"""The classifier stream: received messages in, classified messages out."""

import faust
from opentelemetry import trace

from socialcare_classifier.domain.classify import ClassifierRules, classify
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import topics
from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.events import MessageClassified, MessageReceived
from socialcare_runtime.streams import (
    RecordProcessor,
    create_app,
    derived_event_id,
    raw_topic,
    send_event,
)

SERVICE = "socialcare-classifier"


def build_app(settings: ClassifierSettings, tracer: trace.Tracer,
              rules: ClassifierRules | None = None) -> faust.App:
    """Wires the classify agent; the same input always yields the same output event."""
    app = create_app(SERVICE, settings)
    processor = RecordProcessor(app, settings, SERVICE, tracer)
    received = raw_topic(app, settings.topic(topics.MESSAGES_RECEIVED))
    classified = raw_topic(app, settings.topic(topics.MESSAGES_CLASSIFIED))
    active_rules = rules or ClassifierRules()

    async def handle(envelope: Envelope[MessageReceived]) -> None:
        message = envelope.data.message
        result = classify(message, active_rules)
        await send_event(classified, message.conversation_key(),
                         MessageClassified(message=message, classification=result), SERVICE,
                         event_id=derived_event_id(envelope.id, result.model_version))

    @app.agent(received, name="classify")
    async def classify_agent(stream: faust.StreamT) -> None:
        await processor.run(stream, MessageReceived, handle, "classify")

    return app
