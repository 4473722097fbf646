"""Brings conversations stored before the Conversation aggregate to its shape.

Such documents have a ``status`` but no ``state``, ``version`` or ``due_at``; the
repository reads and saves them as they are, and this pass saves each once so that queue
views (sorted by ``due_at``) see them in place: ``python -m socialcare_router migrate``.
Then it rebuilds the open work (adapters/open_work) from the conversations: every
unresolved one gets its entry, an entry whose conversation is resolved or gone is dropped.
Safe to run while the stack runs, and again (it only touches documents with no version).
"""

import logging
from datetime import UTC, datetime

from socialcare_router.adapters.conversations import VersionConflict
from socialcare_router.adapters.store import Store

log = logging.getLogger(__name__)


async def migrate_conversations(store: Store, batch: int = 500) -> int:
    """Saves every unversioned conversation once; returns how many were brought over."""
    migrated = 0
    while True:
        ids = [d["_id"] async for d in store.conversations.find(
            {"version": {"$exists": False}}, {"_id": 1}).limit(batch)]
        if not ids:
            entries = await store.open_work.adopt(store.conversations, force=True)
            log.info("%d conversations migrated, %d open-work entries rebuilt", migrated,
                     entries)
            return migrated
        for conversation_id in ids:
            conversation = await store.repository.get(conversation_id)
            if conversation is None:
                continue
            try:
                await store.repository.save(conversation, datetime.now(UTC))
                migrated += 1
            except VersionConflict:  # saved meanwhile by a worker: already migrated
                continue
        log.info("%d conversations migrated", migrated)
