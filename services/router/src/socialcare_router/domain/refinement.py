"""A later, better reading of one message folded into its conversation (pure).

The deep classification stage corrects the fast stage's labels after routing used them. The
conversation's sentiment follows its latest customer message, so a refinement of an earlier
message changes only the worst sentiment seen; intents are added, never removed (another
message may carry them); the priority rises to what the refined labels give, and falls only
while that one message is all the conversation is and no escalation has boosted it (then its
priority is exactly the message's). Applying the same refinement twice changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from socialcare_router.domain.conversation import SENTIMENT_RANK, Conversation

CHANGE = "refined"


@dataclass(frozen=True)
class RefinedFacts:
    """What the deep stage says of one message, with the routing rules' priority for it."""

    key: str
    platform_message_id: str
    sentiment: str | None
    intents: tuple[str, ...]
    priority: int


def apply_refinement(conversation: Conversation, facts: RefinedFacts, now: datetime) -> bool:
    """Folds the refinement in; False when the conversation already says all of it."""
    if facts.key not in conversation.message_keys:
        return False
    changed = False
    if facts.sentiment in SENTIMENT_RANK:
        if (conversation.last_inbound_id == facts.platform_message_id
                and conversation.sentiment != facts.sentiment):
            conversation.sentiment, changed = facts.sentiment, True
        if conversation.worst_sentiment is None or (
                SENTIMENT_RANK[facts.sentiment]
                < SENTIMENT_RANK.get(conversation.worst_sentiment, 1)):
            conversation.worst_sentiment, changed = facts.sentiment, True
    added = [i for i in facts.intents if i not in conversation.intents]
    if added:
        conversation.intents = [*conversation.intents, *added]
        changed = True
    alone = (conversation.message_keys == [facts.key] and conversation.escalation == "none"
             and conversation.resolution_escalation == "none")
    if facts.priority > conversation.priority or alone and facts.priority < conversation.priority:
        conversation.priority, changed = facts.priority, True
    if changed:
        conversation.touch(CHANGE, now)
    return changed
