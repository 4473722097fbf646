"""The responder stream: reply requests in, sent or failed outcomes out."""

import faust
from opentelemetry import trace

from socialcare_contracts import topics
from socialcare_contracts.cloudevents import Envelope
from socialcare_contracts.events import ReplyRequested, ReplySent
from socialcare_responder.pipeline import Pipeline
from socialcare_responder.sending import ReplySender
from socialcare_responder.settings import ResponderSettings
from socialcare_runtime import mongo
from socialcare_runtime.streams import (
    RecordProcessor,
    create_app,
    derived_event_id,
    raw_topic,
    send_event,
)

SERVICE = "socialcare-responder"


def build_app(settings: ResponderSettings, sender: ReplySender, tracer: trace.Tracer) -> faust.App:
    """Wires the send agent; outcome ids derive from the reply id, so resends dedupe."""
    app = create_app(SERVICE, settings)
    # A MongoDB outage (the delivery ledger) is waited out, never dead-lettered.
    # Gateway calls overlap across conversations; one conversation's replies stay in order,
    # and a reply waiting for its account's budget holds back no other (pipeline).
    processor = RecordProcessor(app, settings, SERVICE, tracer,
                                transient_errors=mongo.TRANSIENT_ERRORS)
    pipeline = Pipeline(processor, settings.stream_batch_max, settings.send_max_in_flight)
    requested = raw_topic(app, settings.topic(topics.REPLIES_REQUESTED))
    sent = raw_topic(app, settings.topic(topics.REPLIES_SENT))
    failed = raw_topic(app, settings.topic(topics.REPLIES_FAILED))

    async def handle(envelope: Envelope[ReplyRequested]) -> None:
        outcome = await sender.send(envelope.data)
        topic, stage = (sent, "sent") if isinstance(outcome, ReplySent) else (failed, "failed")
        await send_event(topic, outcome.conversation_id, outcome, SERVICE,
                         event_id=derived_event_id(outcome.reply_id, stage))

    @app.agent(requested, name="send")
    async def send_agent(stream: faust.StreamT) -> None:
        await pipeline.run(stream, ReplyRequested, handle, "send")

    return app
