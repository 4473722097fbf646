"""One message in, one Classification out: the classifier's pure entry point."""

from socialcare_classifier.domain.intents import detect_intents, reconcile_with_sentiment
from socialcare_classifier.domain.language import detect_language
from socialcare_classifier.domain.listening import match_keywords
from socialcare_classifier.domain.priority import score_priority
from socialcare_classifier.domain.private_data import has_private_data
from socialcare_classifier.domain.rules import DEFAULT_RULES, ClassifierRules
from socialcare_classifier.domain.sentiment import analyze_sentiment
from socialcare_contracts.events import Classification
from socialcare_contracts.messages import NormalizedMessage

__all__ = ["ClassifierRules", "classify"]


def classify(message: NormalizedMessage, rules: ClassifierRules | None = None) -> Classification:
    """Language, sentiment, intents, priority, listening matches and private-data flag."""
    rules = rules or DEFAULT_RULES
    text = message.text
    language, confidence = detect_language(text, message.language_hint)
    sentiment = analyze_sentiment(text)
    intents = reconcile_with_sentiment(detect_intents(text), sentiment.score)
    private = has_private_data(text, rules.order_patterns)
    priority = score_priority(text, sentiment, intents, message.author, private, message.channel)
    return Classification(
        language=language,
        language_confidence=confidence,
        sentiment=sentiment,
        intents=intents,
        priority=priority.score,
        priority_reasons=priority.reasons,
        listening_matches=match_keywords(text, rules.brand_keywords),
        private_data=private,
        model_version=rules.model_version,
    )
