"""Urgency 0..100 and the reasons behind it, so agents see why a message is on top."""

import re
from dataclasses import dataclass

from socialcare_classifier.domain import intents as i
from socialcare_classifier.domain.text import prepare
from socialcare_contracts.events import Sentiment, SentimentLabel
from socialcare_contracts.messages import Author, ChannelKind

BASE = 30
INTENT_WEIGHTS: dict[str, int] = {
    i.OUTAGE: 22,
    i.PAYMENT_BILLING: 16,
    i.ACCOUNT_ACCESS: 16,
    i.REFUND_RETURN: 8,
    i.PRODUCT_DEFECT: 8,
    i.SERVICE_COMPLAINT: 8,
    i.ORDER_STATUS: 6,
    i.SHIPPING_DELIVERY: 5,
    i.IN_STORE_EXPERIENCE: 4,
    i.PRODUCT_AVAILABILITY: 0,
    i.GENERAL_QUESTION: 0,
    i.PRAISE: -12,
    i.SPAM: -30,
}
REPEAT_CONTACT_AT = 1
REPEAT_MAX_BONUS = 18
# Messages that reach us late (platform outage, polling lag, import) already ate their SLA.
_WAITED: tuple[tuple[float, str], ...] = ((12 * 3600, ">12h"), (3600, ">1h"), (900, ">15m"))
WAIT_BONUS = {">12h": 15, ">1h": 10, ">15m": 5}
# Only the strongest intents count, so listing many keywords cannot stack to 100.
MAX_INTENT_BONUS = 30

# Single words are a set lookup; only phrases and unspaced scripts need a pattern.
_URGENT_WORDS = frozenset(
    "urgent urgently asap emergency immediately lawyer attorney sue lawsuit fraud scam"
    " chargeback bbb urgente inmediato abogado denuncia urgence avocat immédiatement résilier"
    " dringend sofort anwalt kündigen imediatamente advogado procon subito avvocato disdire"
    " spoedig meteen advocaat opzeggen".split()
)
_URGENT_RE = re.compile(
    r"\b(?:right now|refund now|legal action|cancel(?:ling|led)? my|cancelar (?:mi|meu|a|o))\b"
    r"|긴급|급해요|당장|弁護士|至急|今すぐ"
)


@dataclass(frozen=True, slots=True)
class Priority:
    """Score 0..100 (higher is more urgent) and the reasons that produced it."""

    score: int
    reasons: tuple[str, ...]


def urgent_terms(text: str) -> list[str]:
    """Urgent words or phrases in the text, lowercased."""
    prepared = prepare(text)
    found = [w for w in prepared.words if w in _URGENT_WORDS]
    found.extend(m.group(0) for m in _URGENT_RE.finditer(prepared.lower))
    return found


def _influence(author: Author) -> tuple[int, list[str]]:
    points, reasons = 0, []
    followers = author.followers or 0
    for threshold, bonus, label in (
        (1_000_000, 18, "1m"),
        (100_000, 13, "100k"),
        (10_000, 8, "10k"),
        (1_000, 3, "1k"),
    ):
        if followers >= threshold:
            points += bonus
            reasons.append(f"author:followers>={label}")
            break
    if author.verified:
        points += 8
        reasons.append("author:verified")
    return points, reasons


def score_priority(
    text: str,
    sentiment: Sentiment,
    intents: tuple[str, ...],
    author: Author,
    private_data: bool,
    channel: ChannelKind | None = None,
    recent_contacts: int = 0,
    waiting_s: float = 0.0,
) -> Priority:
    """Urgency from sentiment, intents, author reach, urgent words, private data, repeated
    contact (the customer's earlier messages in the recent window) and time already waited."""
    score = BASE
    reasons: list[str] = []
    if sentiment.label is SentimentLabel.NEGATIVE:
        points = 8 + round(-sentiment.score * 17)
        score += points
        reasons.append("sentiment:negative")
    elif sentiment.label is SentimentLabel.POSITIVE:
        score -= 5
        reasons.append("sentiment:positive")
    weighted = sorted(((INTENT_WEIGHTS.get(t, 0), t) for t in intents), reverse=True)
    bonus = sum(w for w, _ in weighted if w > 0)
    score += min(bonus, MAX_INTENT_BONUS) + sum(w for w, _ in weighted if w < 0)
    reasons.extend(f"intent:{t}" for w, t in weighted if w)
    influence, influence_reasons = _influence(author)
    if influence and i.SPAM not in intents:
        score += influence
        reasons.extend(influence_reasons)
    urgent = urgent_terms(text)
    if urgent:
        score += 15
        reasons.append("urgent_words")
    if private_data:
        # Personal data posted in public needs a quick move to a DM.
        if channel is not ChannelKind.DIRECT_MESSAGE:
            score += 8
        reasons.append("private_data")
    if recent_contacts >= REPEAT_CONTACT_AT:
        # Writing again and again means the first messages went unanswered.
        score += min(REPEAT_MAX_BONUS, 6 * recent_contacts)
        reasons.append(f"repeat_contact:{min(recent_contacts, 9)}")
    waited = next((label for at, label in _WAITED if waiting_s >= at), None)
    if waited is not None:
        score += WAIT_BONUS[waited]
        reasons.append(f"waiting:{waited}")
    return Priority(max(0, min(100, score)), tuple(reasons))
