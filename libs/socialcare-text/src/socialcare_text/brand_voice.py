"""Brand voice: saved replies expanded into the agent's text, and the agent's signature.

The responder applies it to what it sends; the inbox applies the same settings to preview
the text as it will be posted.
"""

import re

from pydantic import BaseModel, Field

_SAVED = re.compile(r"\{\{saved:([A-Za-z0-9_.-]+)\}\}")


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
    if not policy.signature or ("{initials}" in policy.signature and not initials):
        return body
    signature = policy.signature.format(initials=initials or "", agent_id=agent_id).strip()
    if not signature or body.endswith(signature):
        return body
    return f"{body} {signature}"
