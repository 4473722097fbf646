"""Repeated contact: how many earlier messages a customer sent within a recent window."""

from collections.abc import Mapping


def count_recent(history: Mapping[str, float], message_id: str, sent_at: float,
                 window_s: float, max_tracked: int) -> tuple[int, dict[str, float]]:
    """Earlier messages in the window before this one, and the history with this one added.

    Only messages sent before this one count, so replaying a partition after a crash gives
    each message the same count (and the same classification) it had the first time.
    """
    earlier = sum(1 for mid, at in history.items()
                  if mid != message_id and sent_at - window_s <= at < sent_at)
    updated = {mid: at for mid, at in history.items() if at >= sent_at - window_s}
    updated[message_id] = sent_at
    if len(updated) > max_tracked:
        # Bounded per customer: keep the newest, a flood cannot grow the state without end.
        updated = dict(sorted(updated.items(), key=lambda kv: kv[1])[-max_tracked:])
    return earlier, updated

