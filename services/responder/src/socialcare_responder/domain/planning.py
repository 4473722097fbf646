"""What to send for one reply request: DM or public, one part or a thread, or why not."""

from dataclasses import dataclass

from socialcare_text.brand_voice import BrandPolicy
from socialcare_text.platform_text import split_thread, weighted_length


@dataclass(frozen=True)
class Limits:
    """The gateway capabilities the plan depends on."""

    platform: str
    max_reply_length: int
    max_direct_message_length: int
    supports_direct_messages: bool
    length_counting: str = "codepoints"


@dataclass(frozen=True)
class Plan:
    direct: bool
    parts: tuple[str, ...]
    moved_to_dm: bool = False


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


def plan_delivery(text: str, direct: bool, has_target: bool, private_data: bool,
                  policy: BrandPolicy, limits: Limits) -> Plan | Refusal:
    """Decides how a composed reply goes out within the platform's and the brand's rules."""
    moved = False
    if private_data and not direct and policy.force_dm_on_private_data:
        if not limits.supports_direct_messages:
            return Refusal("private_data", "the reply concerns personal data and this brand "
                           f"requires a DM, but {limits.platform} has no direct messages; "
                           "take it off the platform")
        direct, moved = True, True
    if direct and not limits.supports_direct_messages:
        return Refusal("unsupported", f"{limits.platform} has no direct messages")
    if not direct and not has_target:
        return Refusal("invalid_argument", "no customer message to reply to")
    limit = limits.max_direct_message_length if direct else limits.max_reply_length
    length = weighted_length(text, limits.length_counting)
    if not limit or length <= limit:
        return Plan(direct, (text,), moved)
    if direct or not policy.allow_threads:
        why = "direct messages cannot be split" if direct else "this brand does not use threads"
        return Refusal("too_long", f"text is {length} characters, {limits.platform} allows "
                       f"{limit} ({why}); shorten it")
    return Plan(direct, tuple(split_thread(text, limit, limits.length_counting)), moved)
