"""The deep stage's stream: classified messages in, refinements out, in its own consumer group.

It reads what the fast stage published, embeds a batch at a time (one engine call per batch,
off the event loop), and publishes a ``ClassificationRefined`` only where it disagrees.
Routing never waits for it: the router has already used the fast stage's labels, and applies
a refinement whenever it comes. During a spike this group lags alone; adding workers (KEDA on
its lag) shares the partitions.
"""

import asyncio
import hashlib
import json
import logging

import faust
from opentelemetry import trace

from socialcare_classifier.data.intent_examples import INTENT_EXAMPLES
from socialcare_classifier.deep.embedder import EMBEDDING_DIM, Embedder
from socialcare_classifier.deep.models_feed import INTENTS_OF, SENTIMENT, follow_deep_models
from socialcare_classifier.domain.deep import DeepLabels, refine
from socialcare_classifier.domain.deep_sentiment import DeepSentimentHead
from socialcare_classifier.domain.prototypes import Prototypes
from socialcare_classifier.settings import ClassifierSettings
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.cloudevents import Envelope, InvalidEvent
from socialcare_contracts.events import DeepModelChanged, MessageClassified
from socialcare_runtime.compacted import keep_following
from socialcare_runtime.stream_batches import take_batches
from socialcare_runtime.streams import (
    RecordProcessor,
    create_app,
    derived_event_id,
    header_items,
    raw_topic,
    send_event,
)
from socialcare_runtime.telemetry import context_from_headers

SERVICE = "socialcare-classifier-deep"
log = logging.getLogger(__name__)


class DeepStageFailed(Exception):
    """The engine could not embed a record's batch: the record is dead-lettered."""


class DeepModels:
    """The embedder, the intent prototypes (built from the shipped examples on first use;
    a brand's own, with its agents' corrections, where one is active) and the sentiment
    head, if one is active."""

    def __init__(self, settings: ClassifierSettings, embedder: Embedder | None = None,
                 head: DeepSentimentHead | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings.deep_threads)
        self.head = head
        self.prototypes: Prototypes | None = None
        self.brand_prototypes: dict[str, tuple[Prototypes, str]] = {}
        # The examples' hash: other examples are another model (and another event id).
        examples = json.dumps(INTENT_EXAMPLES, sort_keys=True).encode()
        self.version = f"{self.embedder.version}+intents-{hashlib.sha256(examples).hexdigest()[:8]}"

    def apply(self, change: DeepModelChanged) -> None:
        """Activates a model read from the models topic; one it cannot use is ignored."""
        if change.kind.startswith(INTENTS_OF):
            self._apply_prototypes(change.kind[len(INTENTS_OF):], change)
            return
        if change.kind != SENTIMENT:
            return
        try:
            head = DeepSentimentHead.from_dict(change.model) if change.model else None
            if head is not None and head.coef.shape[1] != head.input_size(EMBEDDING_DIM):
                raise ValueError(f"weights for {head.coef.shape[1]} inputs, not "
                                 f"{head.input_size(EMBEDDING_DIM)}")
        except ValueError as exc:
            log.warning("deep sentiment head %s refused (the active one stays): %s",
                        change.version, exc)
            return
        self.head = head
        log.info("deep sentiment head now %s", head.version if head else "none")

    def _apply_prototypes(self, brand: str, change: DeepModelChanged) -> None:
        if change.model is None:
            self.brand_prototypes.pop(brand, None)
            log.info("brand %s back to the shipped intent prototypes", brand)
            return
        try:
            prototypes = Prototypes.from_dict(change.model, self.embedder.version,
                                              self.settings.deep_intent_min_similarity,
                                              self.settings.deep_intent_margin)
        except ValueError as exc:
            log.warning("intent prototypes %s of brand %s refused (the active ones stay): %s",
                        change.version, brand, exc)
            return
        self.brand_prototypes[brand] = (prototypes, f"{self.embedder.version}+{change.version}")
        log.info("brand %s intent prototypes now %s", brand, change.version)

    def shipped_prototypes(self) -> Prototypes:
        """The prototypes of the shipped examples (embedded once, on first use)."""
        if self.prototypes is None:
            examples = {k: self.embedder.embed(list(v)) for k, v in INTENT_EXAMPLES.items()}
            self.prototypes = Prototypes.from_examples(
                examples, self.settings.deep_intent_min_similarity,
                self.settings.deep_intent_margin)
        return self.prototypes

    def label(self, texts: list[str], brands: list[str] | None = None) -> list[DeepLabels]:
        """Deep labels of each text (of each brand's account: its own prototypes where it
        has some); blocking (the engine holds the core)."""
        shipped = (self.shipped_prototypes(), self.version)
        embeddings = self.embedder.embed(texts)
        chosen = [self.brand_prototypes.get(b.lower(), shipped)
                  for b in brands or [""] * len(texts)]
        intents = [chosen[i][0].decide(embeddings[i:i + 1])[0] for i in range(len(texts))]
        head = self.head
        sentiments = head.predict(embeddings, texts) if head is not None else [None] * len(texts)
        return [DeepLabels(i, c[1], s, head.version if head else None)
                for i, c, s in zip(intents, chosen, sentiments, strict=True)]


def build_deep_app(settings: ClassifierSettings, tracer: trace.Tracer,
                   models: DeepModels | None = None) -> faust.App:
    """Wires the refine agent; the same classified event always yields the same refinement."""
    app = create_app(SERVICE, settings)
    processor = RecordProcessor(app, settings, SERVICE, tracer)
    classified = raw_topic(app, settings.topic(topics.MESSAGES_CLASSIFIED))
    refined = raw_topic(app, settings.topic(topics.CLASSIFICATIONS_REFINED))
    deep = models or DeepModels(settings)
    labels: dict[str, DeepLabels] = {}
    failed: dict[str, str] = {}

    async def label_batch(events: list[faust.EventT]) -> None:
        """Embeds the batch's customer messages at once; records it cannot decode are left
        for the processor to dead-letter."""
        found: list[tuple[str, str, trace.Link, str]] = []
        for event in events:
            headers = header_items(event.message.headers)
            try:
                envelope = cloudevents.decode(event.message.value, headers, MessageClassified)
            except InvalidEvent:
                continue
            if envelope.data.message.from_brand:
                continue
            context = trace.get_current_span(context_from_headers(headers)).get_span_context()
            message = envelope.data.message
            found.append((envelope.id, message.text, trace.Link(context), message.brand_account))
        if not found:
            return
        with tracer.start_as_current_span("refine embed", links=[f[2] for f in found],
                                          attributes={"socialcare.batch.size": len(found)}):
            try:
                results = await asyncio.to_thread(deep.label, [f[1] for f in found],
                                                  [f[3] for f in found])
            except Exception as exc:  # each record is dead-lettered with the reason
                log.exception("embedding a batch of %d failed", len(found))
                failed.update((f[0], f"{type(exc).__name__}: {exc}") for f in found)
                return
        labels.update((f[0], r) for f, r in zip(found, results, strict=True))

    async def handle(envelope: Envelope[MessageClassified]) -> None:
        if envelope.id in failed:
            raise DeepStageFailed(f"embedding failed: {failed[envelope.id]}")
        deep_labels = labels.pop(envelope.id, None)
        if deep_labels is None:  # a brand's own message: nothing to refine
            return
        refinement = refine(envelope.data, deep_labels)
        if refinement is not None:
            await send_event(refined, envelope.data.message.conversation_key(), refinement,
                             SERVICE, event_id=derived_event_id(
                                 envelope.id, refinement.classification.model_version))

    @app.task
    async def deep_models_feed() -> None:
        await keep_following("deep models feed",
                             lambda: follow_deep_models(settings, deep.apply))

    @app.agent(classified, name="refine")
    async def refine_agent(stream: faust.StreamT) -> None:
        async for batch in take_batches(stream, settings.stream_batch_max):
            try:
                await label_batch(batch)
                await processor.process_batch(batch, MessageClassified, handle, "refine")
            finally:
                labels.clear()
                failed.clear()
            for event in batch:
                await stream.ack(event)

    return app

