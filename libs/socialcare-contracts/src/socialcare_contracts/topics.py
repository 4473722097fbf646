"""Kafka topic names: ``socialcare.<entity>.<event>.v<N>``.

A breaking change to an event's schema gets a new topic version; both run side by side
until every consumer has moved.
"""

from typing import Final

MESSAGES_RECEIVED: Final = "socialcare.messages.received.v1"
MESSAGES_CLASSIFIED: Final = "socialcare.messages.classified.v1"
# The deep stage's corrections of the fast stage's labels, later and only where they differ.
CLASSIFICATIONS_REFINED: Final = "socialcare.classifications.refined.v1"
CONVERSATIONS_UPDATED: Final = "socialcare.conversations.updated.v1"
REPLIES_REQUESTED: Final = "socialcare.replies.requested.v1"
REPLIES_SENT: Final = "socialcare.replies.sent.v1"
REPLIES_FAILED: Final = "socialcare.replies.failed.v1"
DEADLETTER: Final = "socialcare.deadletter.v1"
# A brand's surges, keyed by brand: opened, new peaks, closed.
INCIDENTS: Final = "socialcare.incidents.v1"
# Compacted, keyed by brand: each brand's latest classifier rules; every worker reads it all.
CLASSIFIER_RULES: Final = "socialcare.classifier.rules.v1"
# Compacted, keyed by model kind: the deep stage's active models; every deep worker reads it all.
DEEP_MODELS: Final = "socialcare.classifier.deep-models.v1"

ALL: Final = (
    MESSAGES_RECEIVED,
    MESSAGES_CLASSIFIED,
    CLASSIFICATIONS_REFINED,
    CONVERSATIONS_UPDATED,
    REPLIES_REQUESTED,
    REPLIES_SENT,
    REPLIES_FAILED,
    DEADLETTER,
    CLASSIFIER_RULES,
    INCIDENTS,
    DEEP_MODELS,
)

# A brand's taxonomy with its model runs to a few hundred KiB.
RULES_MAX_RECORD_BYTES: Final = 4 * 1024 * 1024

# Topic settings that differ from the cluster defaults; whoever creates a topic applies
# them, and an existing topic is switched to them.
CONFIGS: Final[dict[str, dict[str, str]]] = {
    CLASSIFIER_RULES: {
        "cleanup.policy": "compact",
        "min.compaction.lag.ms": "60000",
        "max.message.bytes": str(RULES_MAX_RECORD_BYTES),
    },
}
CONFIGS[DEEP_MODELS] = CONFIGS[CLASSIFIER_RULES]
# Partition counts that differ from SOCIALCARE_TOPIC_PARTITIONS.
PARTITIONS: Final[dict[str, int]] = {CLASSIFIER_RULES: 1, DEEP_MODELS: 1}
