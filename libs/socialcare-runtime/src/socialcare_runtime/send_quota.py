"""What a platform account may send, as the responders learned it from the gateways.

Gateways advertise their platform's limits to the responders only (``GetCapabilities``).
The responders write what they use, one document per platform account and budget kind in
the shared ``send_budget`` collection (``_id`` ``quota|x|acme|sends``), whenever it is first
used or changes; the inbox reads it by ``_id`` to say how long a bulk reply will take to go
out. The responders own the writing (adapters/budget.py); this module holds the document's
shape for both sides.
"""

from dataclasses import dataclass
from typing import Any

COLLECTION = "send_budget"


def quota_id(platform: str, account: str, kind: str = "sends") -> str:
    return f"quota|{platform}|{account}|{kind}"


@dataclass(frozen=True)
class Quota:
    """Bulk copies the responders let out per window of ``window_s`` seconds (the platform's
    limit less the responders' margin and the share kept for one-off replies)."""

    bulk_per_window: int
    window_s: int

    def minutes_to_send(self, replies: int) -> float:
        return round(replies / max(1, self.bulk_per_window) * self.window_s / 60, 1)

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> "Quota | None":
        """Tolerant: a document a newer responder wrote with other fields still reads."""
        try:
            return cls(int(doc["bulk_per_window"]), int(doc["window_s"]))
        except (KeyError, TypeError, ValueError):
            return None
