"""When the deep stage overrides the fast stage, and what the refined classification is (pure).

Sentiment: a trained head's label replaces the fast stage's when they differ (no head is
active by default: see the README's licence note), unless the brand's own model decided it.
Intents: the few-shot prototypes add intents only to a message the rules left without any;
on the labelled TWCS tweets the rules are more precise where they fire (README: per-intent
table), so they are never overruled.
The priority is scored again from the refined labels with the fast stage's other inputs.
"""

from dataclasses import dataclass

from socialcare_classifier.domain.priority import score_priority
from socialcare_classifier.domain.sentiment_model import decided_by_brand_model
from socialcare_contracts.events import (
    ClassificationRefined,
    MessageClassified,
    Sentiment,
)

REPEAT_REASON = "repeat_contact:"


@dataclass(frozen=True)
class DeepLabels:
    """What the deep stage read in one message, and the versions that read it."""

    intents: tuple[str, ...]
    intents_version: str
    sentiment: Sentiment | None = None
    sentiment_version: str | None = None


def refine(event: MessageClassified, deep: DeepLabels) -> ClassificationRefined | None:
    """The refinement of ``event``'s classification, or None when the deep stage agrees."""
    fast = event.classification
    decided_by = dict(fast.decided_by)
    refined: list[str] = []
    sentiment, intents = fast.sentiment, fast.intents
    # A brand's own model, trained on its agents' corrections and activated only when it beat
    # the global stage on the brand's rows, is not overruled by a head that never saw them.
    own_model = decided_by_brand_model(decided_by.get("sentiment"), event.message.brand_account)
    if deep.sentiment is not None and deep.sentiment.label != fast.sentiment.label \
            and not own_model:
        sentiment = deep.sentiment
        refined.append("sentiment")
        decided_by["sentiment"] = f"deep:{deep.sentiment_version}"
    if not fast.intents and deep.intents:
        intents = deep.intents
        refined.append("intents")
        decided_by["intents"] = f"deep:{deep.intents_version}"
    if not refined:
        return None
    message = event.message
    waiting_s = ((message.received_at - message.created_at).total_seconds()
                 if message.received_at else 0.0)
    priority = score_priority(message.text, sentiment, intents, message.author,
                              fast.private_data, message.channel,
                              _recent_contacts(fast.priority_reasons), waiting_s)
    versions = [v for v in (deep.sentiment_version if "sentiment" in refined else None,
                            deep.intents_version if "intents" in refined else None) if v]
    classification = fast.model_copy(update={
        "sentiment": sentiment, "intents": intents, "priority": priority.score,
        "priority_reasons": priority.reasons, "decided_by": decided_by,
        "model_version": "+".join([fast.model_version, *(f"deep:{v}" for v in versions)])})
    return ClassificationRefined(
        message=message, classification=classification, refined=tuple(refined),
        fast_sentiment=fast.sentiment.label if "sentiment" in refined else None,
        fast_intents=fast.intents if "intents" in refined else (),
        fast_priority=fast.priority)


def _recent_contacts(reasons: tuple[str, ...]) -> int:
    """The repeat count the fast stage saw (the deep stage keeps no contact history)."""
    for reason in reasons:
        if reason.startswith(REPEAT_REASON):
            return int(reason[len(REPEAT_REASON):])
    return 0
