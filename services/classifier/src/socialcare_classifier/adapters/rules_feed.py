"""The rules topic: every worker reads all of it (no consumer group) and applies each brand's
latest taxonomy and the latest activated sentiment models; admin tools publish to it.
Compaction keeps one record per brand, one for the global model (key ``SENTIMENT_MODEL_KEY``)
and one for each brand's own model (``sentiment_model_key(brand)``)."""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from opentelemetry import metrics

from socialcare_classifier.domain.classify import classify
from socialcare_classifier.domain.rules import DEFAULT_RULES
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.cloudevents import InvalidEvent
from socialcare_contracts.events import ClassifierRulesChanged
from socialcare_contracts.messages import Author, ChannelKind, NormalizedMessage, Platform
from socialcare_runtime.compacted import follow_compacted
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import EventPublisher, Outgoing
from socialcare_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


# Not a brand: the admin API's brand names cannot start with '*', so no taxonomy shares it.
SENTIMENT_MODEL_KEY = "*sentiment-model"
# A brand's own model: '@' is in no brand name (A-Z a-z 0-9 _ . -), so the key after it is
# the brand's, and no taxonomy's key can start with '*'.
BRAND_MODEL_PREFIX = f"{SENTIMENT_MODEL_KEY}@"


def sentiment_model_key(brand: str | None = None) -> str:
    """The rules-topic key of the global sentiment model, or of a brand's own."""
    return SENTIMENT_MODEL_KEY if brand is None else BRAND_MODEL_PREFIX + brand.lower()


# librdkafka's default message.max.bytes is 1,000,000; headers and framing need the rest.
MAX_MODEL_RECORD_BYTES = 990_000


class UnusableRules(ValueError):
    """A rules change no worker can use; the message says why (safe to show its author)."""


# Probes a taxonomy must classify before it is activated: any failure would otherwise be
# every message of the brand dead-lettered at classify.
PROBES = tuple(NormalizedMessage(
    platform=Platform.X, channel=ChannelKind.MENTION, brand_account="probe",
    platform_message_id=f"probe-{i}", author=Author(id="probe"), text=text,
    created_at=datetime(2026, 1, 1, tzinfo=UTC))
    for i, text in enumerate(("", "Where is my order #12345? The app crashed, refund please",
                              "¿Dónde está mi pedido? 😡 @acme")))


def load_rules(change: ClassifierRulesChanged) -> BrandTaxonomy | None:
    """The taxonomy a worker activates for ``change`` (None: the brand's is removed), once it
    has classified the probe messages; raises ``UnusableRules`` with the reason otherwise."""
    if change.taxonomy is None:
        return None
    try:
        taxonomy = BrandTaxonomy.from_dict({**change.taxonomy, "brand": change.brand.lower()})
    except ValueError as exc:
        raise UnusableRules(str(exc)) from None
    _probe(taxonomy=taxonomy)
    return taxonomy


def load_sentiment_model(change: ClassifierRulesChanged) -> SentimentModel | None:
    """The sentiment model a worker activates for ``change`` (None: back to the lexicon),
    once it has classified the probe messages; raises ``UnusableRules`` otherwise."""
    if change.taxonomy is None:
        return None
    try:
        model = SentimentModel.from_dict(change.taxonomy)
    except ValueError as exc:
        raise UnusableRules(str(exc)) from None
    _probe(sentiment_model=model)
    return model


def _probe(taxonomy: BrandTaxonomy | None = None,
           sentiment_model: SentimentModel | None = None) -> None:
    for probe in PROBES:
        try:
            classify(probe, DEFAULT_RULES, taxonomy, sentiment_model=sentiment_model)
        except Exception as exc:  # whatever it is, it would fail on real messages too
            raise UnusableRules(f"classifying a probe message failed: "
                                f"{type(exc).__name__}: {exc}") from None


class TaxonomyRegistry:
    """Each brand's active taxonomy, the active sentiment model (None: the lexicon
    decides) and the brands' own sentiment models, as last read from the rules topic.

    A change no worker can use (written by an older version, by hand, straight to Kafka)
    is logged and counted in ``socialcare.classifier.rules.refused``; the brand keeps its
    last good taxonomy and its messages are classified as before.
    """

    def __init__(self) -> None:
        self._by_brand: dict[str, BrandTaxonomy] = {}
        self.sentiment_model: SentimentModel | None = None
        self._brand_models: dict[str, SentimentModel] = {}
        self.ready = asyncio.Event()
        self.refused = 0
        self._refused = metrics.get_meter(__name__).create_counter(
            "socialcare.classifier.rules.refused", unit="{record}",
            description="Rules records a worker could not use (the last good ones stay active)")

    def get(self, brand: str) -> BrandTaxonomy | None:
        """The brand's taxonomy (brand accounts compare case-insensitively)."""
        return self._by_brand.get(brand.lower())

    def sentiment_model_for(self, brand: str) -> SentimentModel | None:
        """The brand's own sentiment model, else the global one (None: the lexicon)."""
        return self._brand_models.get(brand.lower(), self.sentiment_model)

    def apply(self, change: ClassifierRulesChanged) -> bool:
        """Activates (or with no taxonomy, removes) a brand's taxonomy; False if refused."""
        if change.brand == SENTIMENT_MODEL_KEY or change.brand.startswith(BRAND_MODEL_PREFIX):
            return self._apply_model(change)
        brand = change.brand.lower()
        try:
            taxonomy = load_rules(change)
        except UnusableRules as exc:
            self.refuse(f"version {change.version} of brand {brand}", str(exc))
            return False
        if taxonomy is None:
            self._by_brand.pop(brand, None)
        else:
            self._by_brand[brand] = taxonomy
        log.info("classifier rules for brand %s now %s", brand,
                 self._by_brand[brand].version if brand in self._by_brand else "removed")
        return True

    def _apply_model(self, change: ClassifierRulesChanged) -> bool:
        brand = change.brand.removeprefix(BRAND_MODEL_PREFIX) \
            if change.brand != SENTIMENT_MODEL_KEY else None
        try:
            model = load_sentiment_model(change)
        except UnusableRules as exc:
            self.refuse(f"sentiment model {change.version}", str(exc))
            return False
        if brand is None:
            self.sentiment_model = model
            log.info("sentiment now decided by %s", change.version if model else "the lexicon")
        elif model is None:  # the brand goes back to the global model
            self._brand_models.pop(brand, None)
            log.info("sentiment of brand %s now decided by the global model", brand)
        else:
            self._brand_models[brand] = model
            log.info("sentiment of brand %s now decided by %s", brand, change.version)
        return True

    def refuse(self, what: str, reason: str) -> None:
        """Records a rules record that was not applied, and why."""
        self.refused += 1
        self._refused.add(1)
        log.error("classifier rules %s ignored, the previous ones stay active: %s", what,
                  reason[:500])


async def follow_rules(settings: ServiceSettings, registry: TaxonomyRegistry) -> None:
    """Reads the rules topic from the start for ever; sets ``registry.ready`` once caught up."""
    await follow_compacted(settings.kafka_bootstrap, settings.topic(topics.CLASSIFIER_RULES),
                           lambda record: _apply_record(registry, record), registry.ready,
                           topics.RULES_MAX_RECORD_BYTES)


def _apply_record(registry: TaxonomyRegistry, record: Any) -> None:
    try:
        envelope = cloudevents.decode(record.value, record.headers, ClassifierRulesChanged)
    except InvalidEvent as exc:
        registry.refuse(f"record at offset {record.offset}", str(exc))
        return
    registry.apply(envelope.data)


def rules_change(brand: str, taxonomy: BrandTaxonomy | None,
                 changed_by: str) -> ClassifierRulesChanged:
    """The event that activates a brand's taxonomy (or with None, removes it)."""
    if brand.startswith("*"):
        raise UnusableRules(f"{brand} is a sentiment model's key, not a brand")
    return ClassifierRulesChanged(
        brand=brand.lower(), version=taxonomy.version if taxonomy else "removed",
        taxonomy=taxonomy.to_dict() if taxonomy else None, changed_by=changed_by,
        changed_at=datetime.now(UTC))


def sentiment_model_change(model: SentimentModel | None, changed_by: str,
                           brand: str | None = None) -> ClassifierRulesChanged:
    """The event that activates a sentiment model (or with None, returns to the lexicon);
    with ``brand``, that brand's own model (None: the brand goes back to the global one)."""
    return ClassifierRulesChanged(
        brand=sentiment_model_key(brand),
        version=model.version if model else ("lexicon" if brand is None else "global"),
        taxonomy=model.to_dict() if model else None, changed_by=changed_by,
        changed_at=datetime.now(UTC))


def publish_taxonomy(settings: ServiceSettings, brand: str, taxonomy: BrandTaxonomy | None,
                     changed_by: str) -> str:
    """Publishes a brand's taxonomy (None removes it); returns the event id once acknowledged."""
    change = rules_change(brand, taxonomy, changed_by)
    load_rules(change)  # what no worker could use is refused here, with the reason
    return publish_change(settings, change)


def publish_sentiment_model(settings: ServiceSettings, model: SentimentModel | None,
                            changed_by: str, brand: str | None = None) -> str:
    """Activates a sentiment model on every worker (None: the lexicon), for every brand or
    with ``brand`` for that brand's messages; returns the event id."""
    change = sentiment_model_change(model, changed_by, brand)
    load_sentiment_model(change)
    size = len(change.model_dump_json())
    if size > MAX_MODEL_RECORD_BYTES:
        raise UnusableRules(f"the model is {size:,} bytes as an event, over the "
                            f"{MAX_MODEL_RECORD_BYTES:,} one Kafka record may carry")
    return publish_change(settings, change)


def publish_change(settings: ServiceSettings, change: ClassifierRulesChanged) -> str:
    """Publishes one rules change; returns the event id once Kafka acknowledged it."""
    ensure_socialcare_topics(settings)
    name = settings.topic(topics.CLASSIFIER_RULES)
    publisher = EventPublisher.connect(settings.kafka_bootstrap, "socialcare-classifier-admin",
                                       warm_topic=name)
    try:
        return asyncio.run(publisher.publish([Outgoing(name, change.brand, change)]))[0]
    finally:
        publisher.close()


async def read_active(settings: ServiceSettings, timeout_s: float = 30.0) -> TaxonomyRegistry:
    """What the workers run now: the rules topic read to its end, as a worker reads it."""
    ensure_socialcare_topics(settings)
    registry = TaxonomyRegistry()
    reader = asyncio.create_task(follow_rules(settings, registry))
    try:
        await asyncio.wait_for(registry.ready.wait(), timeout_s)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    return registry
