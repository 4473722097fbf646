"""The classifier's in-memory contact history: bounded in keys, newest kept."""

from cachetools import LRUCache

from socialcare_classifier.domain.contacts import count_recent


def test_history_is_kept_per_key_and_the_least_recently_seen_key_goes_first() -> None:
    contacts: LRUCache[str, dict[str, float]] = LRUCache(maxsize=2)
    for key, at in (("a", 1.0), ("b", 2.0), ("a", 3.0), ("c", 4.0)):
        _, contacts[key] = count_recent(contacts.get(key, {}), f"{key}{at}", at, 3600, 50)
    assert len(contacts) == 2
    assert contacts.get("b", {}) == {}  # b was seen least recently once a came back
    assert contacts["a"] == {"a1.0": 1.0, "a3.0": 3.0}
    assert count_recent(contacts["a"], "a5", 5.0, 3600, 50)[0] == 2
