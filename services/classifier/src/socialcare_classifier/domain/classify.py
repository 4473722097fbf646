"""One message in, one Classification out: the classifier's pure entry point."""

from socialcare_classifier.domain.intents import detect_intents, reconcile_with_sentiment
from socialcare_classifier.domain.language import detect_language
from socialcare_classifier.domain.listening import match_keywords
from socialcare_classifier.domain.priority import score_priority
from socialcare_classifier.domain.private_data import find_private_data, mask_findings
from socialcare_classifier.domain.rules import DEFAULT_RULES, ClassifierRules
from socialcare_classifier.domain.sentiment import lexicon_sentiment, score_text
from socialcare_classifier.domain.sentiment_model import SentimentModel
from socialcare_classifier.domain.taxonomy import BrandTaxonomy
from socialcare_contracts.events import Classification
from socialcare_contracts.messages import NormalizedMessage

__all__ = ["ClassifierRules", "classify"]


def classify(message: NormalizedMessage, rules: ClassifierRules | None = None,
             taxonomy: BrandTaxonomy | None = None, recent_contacts: int = 0,
             sentiment_model: SentimentModel | None = None) -> Classification:
    """Language, sentiment, intents, brand categories, priority, listening matches and
    private-data flag; the same inputs always give the same result and model version.
    Sentiment comes from the trained fast stage when a model is given, else the lexicon."""
    rules = rules or DEFAULT_RULES
    waiting_s = ((message.received_at - message.created_at).total_seconds()
                 if message.received_at else 0.0)
    text = message.text
    language, confidence = detect_language(text, message.language_hint)
    lexicon_total = score_text(text)
    if sentiment_model is None:
        sentiment, stage = lexicon_sentiment(lexicon_total), "lexicon"
    else:
        sentiment = sentiment_model.predict(text, lexicon_total)
        stage = f"fast:{sentiment_model.version}"
    intents = reconcile_with_sentiment(detect_intents(text), sentiment.score, text)
    findings = find_private_data(text, rules.order_patterns)
    private = bool(findings)
    priority = score_priority(text, sentiment, intents, message.author, private, message.channel,
                              recent_contacts, waiting_s)
    return Classification(
        language=language,
        language_confidence=confidence,
        sentiment=sentiment,
        intents=intents,
        priority=priority.score,
        priority_reasons=priority.reasons,
        listening_matches=match_keywords(text, rules.brand_keywords),
        private_data=private,
        masked_text=mask_findings(text, findings) if private else None,
        model_version="+".join([rules.model_version]
                               + ([sentiment_model.version] if sentiment_model else [])
                               + ([taxonomy.version] if taxonomy else [])),
        categories=taxonomy.categorize(text) if taxonomy else (),
        decided_by={"sentiment": stage},
    )
