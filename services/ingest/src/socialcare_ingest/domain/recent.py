"""A bounded set of recently published message ids, so a platform's retry is not re-sent."""

from collections import OrderedDict
from collections.abc import Iterable


class RecentIds:
    """Remembers the last ``capacity`` ids; the oldest are forgotten first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add_all(self, keys: Iterable[str]) -> None:
        """Records ids Kafka acknowledged."""
        if self.capacity == 0:
            return
        for key in keys:
            self._ids[key] = None
            self._ids.move_to_end(key)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
