"""The deep stage's refinements applied to conversations: facts and priority, after routing.

Routing never waits for the deep stage; its ``ClassificationRefined`` events come when they
come. Each is applied through the Conversation aggregate and saved with its
``ConversationUpdated`` (change ``refined``) like any other change. A refinement of a message
not routed yet (the router lagging behind the deep stage) is kept by the message's key and
tried again by a timer, for at most ``KEEP_AWAITING``; a redelivery changes nothing and
publishes again what the first delivery stored.
"""

import logging
from datetime import timedelta
from typing import Any

from socialcare_contracts.events import ClassificationRefined, MessageClassified
from socialcare_contracts.tolerant import prune
from socialcare_router.domain.refinement import RefinedFacts, apply_refinement
from socialcare_router.domain.surge import apply_incident_routes
from socialcare_router.domain.threading import message_key
from socialcare_router.inbox import Events
from socialcare_router.routing import Router, rule_facts

log = logging.getLogger(__name__)
KEEP_AWAITING = timedelta(hours=1)
AWAITING_BATCH = 500


class Refinements:
    """Applies refinements to the conversations the router stores."""

    def __init__(self, router: Router) -> None:
        self.router = router
        # Only refinements that came before their message: small, so read whole.
        self.awaiting = router.store.db.refinements_awaiting

    async def apply(self, event: ClassificationRefined) -> Events:
        """Updates the message's conversation; keeps the refinement if there is none yet."""
        message = event.message
        key = message_key(message.platform, message.brand_account, message.platform_message_id)
        conversation_id = await self.router.store.conversation_of_message(key)
        if conversation_id is None:
            await self.awaiting.update_one(
                {"_id": key}, {"$setOnInsert": {"event": event.model_dump(mode="json"),
                                                "since": self.router.clock()}}, upsert=True)
            return []
        snapshot = await self.router.config.current()
        routed = MessageClassified(message=message, classification=event.classification)
        # As routing scores it, an open incident's boost included: without it a refinement
        # would drop an incident's only-message conversations back to the rules' priority.
        route = apply_incident_routes(
            snapshot.rules.route(rule_facts(routed), self.router.default_queue),
            message.brand_account, event.classification.intents, snapshot.incident_routes)
        facts = RefinedFacts(key=key, platform_message_id=message.platform_message_id,
                             sentiment=event.classification.sentiment.label.value
                             if "sentiment" in event.refined else None,
                             intents=event.classification.intents
                             if "intents" in event.refined else (),
                             priority=route.priority)
        repository = self.router.repository
        conversation, events = await repository.update(
            conversation_id, lambda c, now: apply_refinement(c, facts, now), self.router.clock)
        if conversation is None:
            return []
        return events if events is not None else repository.outbox_events(conversation)

    async def retry_awaiting(self) -> Events:
        """Applies the kept refinements whose message has been routed since; drops old ones."""
        events: Events = []
        now = self.router.clock()
        async for doc in self.awaiting.find({}).limit(AWAITING_BATCH):
            young = now - doc["since"] < KEEP_AWAITING
            try:
                if await self.router.store.conversation_of_message(doc["_id"]) is not None:
                    events += await self.apply(_event(doc))
                elif young:
                    continue
                else:
                    log.warning("refinement of a message never routed dropped after %s",
                                KEEP_AWAITING)
            except Exception:
                # One kept refinement that cannot be applied must not stop the timer for
                # the others: it is tried again while young, then dropped.
                log.exception("a kept refinement could not be applied%s",
                              "" if young else "; dropped")
                if young:
                    continue
            await self.awaiting.delete_one({"_id": doc["_id"]})
        return events


def _event(doc: dict[str, Any]) -> ClassificationRefined:
    # Read as consumers read events: one kept by a newer version still applies.
    return ClassificationRefined.model_validate(prune(ClassificationRefined, doc["event"]))

