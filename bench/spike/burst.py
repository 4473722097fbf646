"""One question in ten wordings, as customers write during a promotion gone wrong: the
burst the spike traffic, the grouping benchmark and the spike tests ask about."""

WORDINGS = [
    "promo code SAVE20 doesn't work", "your promo code SAVE20 isn't working!!",
    "the promo code SAVE20 is not working at checkout", "SAVE20 code not working??",
    "promo code save20 gives an error", "why doesnt the SAVE20 promo code work",
    "SAVE20 promo code invalid, please fix", "code SAVE20 says invalid promo code",
    "tried the promo code SAVE20 three times, not working",
    "your SAVE20 promo isn't applying to my cart"]
# In a burst message's platform id, so the benchmark tells the burst from other traffic.
MARK = "-burst-"


def burst_id(run: str, i: int) -> str:
    """The platform message id of the burst's message ``i`` in run ``run``."""
    return f"{run}{MARK}{i}"


def is_burst(platform_message_id: str) -> bool:
    return MARK in platform_message_id
