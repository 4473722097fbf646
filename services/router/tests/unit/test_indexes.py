"""Every list query is served by an index on MongoDB 7: equality fields, then the sort/range.

mongo-java-server has no ``explain``, so this states each query's shape (kept next to the
query it describes in the store modules) and checks an index in ``INDEXES`` has exactly
that key prefix, which is what MongoDB's planner needs to walk the index in order.
"""

import pytest

from socialcare_router.adapters.store import INDEXES, RETIRED, VIEW_FILTERS

pytestmark = pytest.mark.unit

# (collection, equality fields, sort or range field, the method that runs it)
QUERIES = [
    ("open_work", {"queue", "status"}, "due_at", "Store.queue_page(queue)"),
    ("open_work", {"assignee", "status"}, "due_at",
     "Store.queue_page(assignee), WorkStore.held_unanswered"),
    ("open_work", {"queue", "status"}, "priority", "Store.queue_page(queue, by_priority)"),
    ("open_work", {"assignee", "status"}, "priority",
     "Store.queue_page(assignee, by_priority)"),
    ("open_work", {"_id"}, "version", "OpenWork.after_write (a resolve's delete)"),
    ("conversations", {"_id"}, "version", "ConversationRepository.save (versioned)"),
    ("conversations", {"queue", "status"}, "due_at", "Store.queue_page(queue, resolved)"),
    ("conversations", {"assignee", "status"}, "due_at", "Store.queue_page(assignee, resolved)"),
    ("conversations", {"platform", "brand_account", "customer_id"}, "last_message_at",
     "customer lookups"),
    ("conversations", set(), "first_message_at", "Store.conversations_between (reports)"),
    ("audit", set(), "at", "AuditLog.read"),
    ("replies", {"conversation_id"}, "requested_at", "Store.replies_of"),
    ("notes", {"conversation_id"}, "created_at", "WorkStore.notes_of"),
]


def serves(keys: list[str], equality: set[str], ordered: str) -> bool:
    prefix = keys[:len(equality)]
    return set(prefix) == equality and len(keys) > len(equality) and \
        keys[len(equality)] == ordered


@pytest.mark.parametrize(("collection", "equality", "ordered", "where"), QUERIES)
def test_query_has_an_index(collection: str, equality: set[str], ordered: str,
                            where: str) -> None:
    indexes = [list(index.document["key"]) for index in INDEXES.get(collection, [])]
    assert any(serves(keys, equality, ordered) for keys in indexes), where


def test_the_queue_view_filters_keep_the_index_prefix() -> None:
    # Extra filters narrow the index walk; they must not replace the equality prefix.
    assert not {"queue", "status", "assignee"} & set(VIEW_FILTERS)


def test_retired_indexes_are_not_also_created() -> None:
    for collection, names in RETIRED.items():
        assert not set(names) & {index.document["name"]
                                 for index in INDEXES.get(collection, [])}
