"""Brand voice: saved replies expanded into the agent's text, and the agent's signature.

The responder applies it to what it sends; the inbox applies the same settings to preview
the text as it will be posted.
"""

import re

from pydantic import BaseModel, Field

_SAVED = re.compile(r"\{\{saved:([A-Za-z0-9_.-]+)\}\}")
# A saved reply's variable ({customer_name}) left in the text: posted as is, it would read
# as a mistake to the customer.
_PLACEHOLDER = re.compile(r"\{([a-z_]{1,32})\}")


class BrandPolicy(BaseModel):
    """How one brand answers; configured per brand account, ``*`` being the default."""

    signature: str = Field(default="^{initials}",
                           description="Appended after a space; {initials} and {agent_id}")
    allow_threads: bool = Field(default=True, description="Split a long public reply")
    force_dm_on_private_data: bool = Field(
        default=False, description="Send as a DM when the classifier saw personal data")
    saved_replies: dict[str, str] = Field(default={}, description="Name -> text, {{saved:name}}")


class BrandVoiceSettings(BaseModel):
    """The settings piece (``SOCIALCARE_BRANDS``, ``SOCIALCARE_AGENT_INITIALS``) both read."""

    brands: dict[str, BrandPolicy] = Field(
        default={"*": BrandPolicy()}, description="Brand account -> reply policy; '*' default")
    agent_initials: dict[str, str] = Field(default={}, description="Agent id -> initials")

    def brand_policy(self, brand_account: str) -> BrandPolicy:
        """The brand's policy, else the ``*`` default, else the built-in one."""
        return self.brands.get(brand_account) or self.brands.get("*") or BrandPolicy()


class CompositionError(ValueError):
    """The text cannot be rendered (an unknown saved reply); the agent must fix it."""


def compose(text: str, policy: BrandPolicy, agent_id: str, initials: str | None) -> str:
    """The text as posted: saved replies expanded, signature appended once."""
    def saved(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in policy.saved_replies:
            raise CompositionError(f"unknown saved reply '{name}'")
        return policy.saved_replies[name]

    body = _SAVED.sub(saved, text).strip()
    left = unfilled_placeholders(body)
    if left:
        raise CompositionError(
            f"fill in or remove {', '.join('{' + n + '}' for n in left)}: the text is posted "
            "as written")
    if not policy.signature or ("{initials}" in policy.signature and not initials):
        return body
    signature = policy.signature.format(initials=initials or "", agent_id=agent_id).strip()
    if not signature or body.endswith(signature):
        return body
    return f"{body} {signature}"


def unfilled_placeholders(text: str) -> list[str]:
    """Variable names still in ``{braces}``, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))
