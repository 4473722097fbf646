"""A dict bounded in keys, for the per-process memories every service keeps: recent ids,
in-flight sends, recent contacts. None of them may grow with the traffic."""

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedDict(OrderedDict[K, V]):
    """At most ``capacity`` keys; writing a key makes it the newest, the oldest go first.

    Capacity 0 remembers nothing, which is how a memory is switched off.
    """

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)
