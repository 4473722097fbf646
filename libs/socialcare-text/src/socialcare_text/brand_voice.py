"""Brand voice: the agent's signature, and no reply posted with a ``{variable}`` unfilled.

The responder applies it to what it sends; the inbox applies the same settings to preview
the text as it will be posted. Saved replies are not brand settings: supervisors manage
them in the inbox (``PUT /v1/saved-replies/{name}``), which fills them in before sending.
"""

import re
from typing import Any

from pydantic import BaseModel, Field, model_validator

from socialcare_text.templates import variables_of

# Brand settings once carried saved replies, written into the text as {{saved:name}}. A
# reply requested before the upgrade may still hold one: posted as is, it reads as a mistake.
_RETIRED_SAVED = re.compile(r"\{\{saved:[^{}]*\}\}")
SAVED_REPLIES_MOVED = (
    "saved_replies are no longer brand settings (SOCIALCARE_BRANDS): remove them there and "
    "create each in the inbox with PUT /v1/saved-replies/{name} and the body "
    '{"title": ..., "text": ...}; agents then send {"saved_reply": name}')


class BrandPolicy(BaseModel):
    """How one brand answers; configured per brand account, ``*`` being the default."""

    signature: str = Field(default="^{initials}",
                           description="Appended after a space; {initials} and {agent_id}")
    allow_threads: bool = Field(default=True, description="Split a long public reply")
    force_dm_on_private_data: bool = Field(
        default=False, description="Send as a DM when the classifier saw personal data")

    @model_validator(mode="before")
    @classmethod
    def _no_saved_replies(cls, data: Any) -> Any:
        # Ignored like any unknown key, the brand's saved replies would vanish unnoticed;
        # the service refuses to start and says where they live now.
        if isinstance(data, dict) and "saved_replies" in data:
            raise ValueError(SAVED_REPLIES_MOVED)
        return data


class BrandVoiceSettings(BaseModel):
    """The settings piece (``SOCIALCARE_BRANDS``, ``SOCIALCARE_AGENT_INITIALS``) both read."""

    brands: dict[str, BrandPolicy] = Field(
        default={"*": BrandPolicy()}, description="Brand account -> reply policy; '*' default")
    agent_initials: dict[str, str] = Field(default={}, description="Agent id -> initials")

    def brand_policy(self, brand_account: str) -> BrandPolicy:
        """The brand's policy, else the ``*`` default, else the built-in one."""
        return self.brands.get(brand_account) or self.brands.get("*") or BrandPolicy()


class CompositionError(ValueError):
    """The text cannot be posted as written (a placeholder is left); the agent must fix it."""


def compose(text: str, policy: BrandPolicy, agent_id: str, initials: str | None) -> str:
    """The text as posted: refused while a placeholder is left, signature appended once."""
    body = text.strip()
    if _RETIRED_SAVED.search(body):
        raise CompositionError("{{saved:name}} is no longer expanded: send the saved reply "
                               'from the inbox ({"saved_reply": name}) or write the text')
    left = variables_of(body)
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
