"""The rules topic: every worker reads all of it (no consumer group) and applies each brand's
latest taxonomy; admin tools publish to it. Compaction keeps one record per brand."""

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer

from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_contracts import cloudevents, topics
from socialcare_contracts.cloudevents import InvalidEvent
from socialcare_contracts.events import ClassifierRulesChanged
from socialcare_runtime.kafka_admin import ensure_socialcare_topics
from socialcare_runtime.publisher import EventPublisher, Outgoing
from socialcare_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


class TaxonomyRegistry:
    """Each brand's active taxonomy, as last read from the rules topic."""

    def __init__(self) -> None:
        self._by_brand: dict[str, BrandTaxonomy] = {}
        self.ready = asyncio.Event()

    def get(self, brand: str) -> BrandTaxonomy | None:
        """The brand's taxonomy (brand accounts compare case-insensitively)."""
        return self._by_brand.get(brand.lower())

    def apply(self, change: ClassifierRulesChanged) -> None:
        """Activates (or with no taxonomy, removes) a brand's taxonomy."""
        brand = change.brand.lower()
        if change.taxonomy is None:
            self._by_brand.pop(brand, None)
        else:
            taxonomy = BrandTaxonomy.from_dict({**change.taxonomy, "brand": brand})
            self._by_brand[brand] = taxonomy
        log.info("classifier rules for brand %s now %s", brand,
                 self._by_brand[brand].version if brand in self._by_brand else "removed")


async def follow_rules(settings: ServiceSettings, registry: TaxonomyRegistry) -> None:
    """Reads the rules topic from the start for ever; sets ``registry.ready`` once caught up."""
    name = settings.topic(topics.CLASSIFIER_RULES)
    # No group: the consumer is given every partition of the topic, read from the start.
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka_bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=topics.RULES_MAX_RECORD_BYTES)
    await consumer.start()
    try:
        while not consumer.assignment():
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        ends = await consumer.end_offsets(partitions)
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    _apply_record(registry, record)
            if registry.ready.is_set():
                continue
            positions = [await consumer.position(tp) for tp in partitions]
            if all(at >= ends[tp] for at, tp in zip(positions, partitions, strict=True)):
                registry.ready.set()
                log.info("classifier rules loaded from %s", name)
    finally:
        await consumer.stop()


def _apply_record(registry: TaxonomyRegistry, record: Any) -> None:
    try:
        envelope = cloudevents.decode(record.value, record.headers, ClassifierRulesChanged)
        registry.apply(envelope.data)
    except (InvalidEvent, ValueError) as exc:
        # A bad rules record must not stop classification; the previous rules stay active.
        log.error("ignored rules record at offset %d: %s", record.offset, exc)


def rules_change(brand: str, taxonomy: BrandTaxonomy | None,
                 changed_by: str) -> ClassifierRulesChanged:
    """The event that activates a brand's taxonomy (or with None, removes it)."""
    return ClassifierRulesChanged(
        brand=brand.lower(), version=taxonomy.version if taxonomy else "removed",
        taxonomy=taxonomy.to_dict() if taxonomy else None, changed_by=changed_by,
        changed_at=datetime.now(UTC))


def publish_taxonomy(settings: ServiceSettings, brand: str, taxonomy: BrandTaxonomy | None,
                     changed_by: str) -> str:
    """Publishes a brand's taxonomy (None removes it); returns the event id once acknowledged."""
    ensure_socialcare_topics(settings)
    name = settings.topic(topics.CLASSIFIER_RULES)
    publisher = EventPublisher.connect(settings.kafka_bootstrap, "socialcare-classifier-admin",
                                       warm_topic=name)
    try:
        change = rules_change(brand, taxonomy, changed_by)
        return asyncio.run(publisher.publish([Outgoing(name, change.brand, change)]))[0]
    finally:
        publisher.close()
