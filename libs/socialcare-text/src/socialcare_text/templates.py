"""Saved replies' ``{variable}`` placeholders: finding, filling, and the agent's initials.

One syntax for every reply: the inbox fills a saved reply's (or typed text's) variables,
and the responder refuses to post text where one is left, both with these rules.
"""

import re

# Lower case and underscores only, so braces in ordinary text ({SAVE10}, {}) stay text.
VARIABLE = re.compile(r"\{([a-z_]{1,32})\}")


class MissingVariables(ValueError):
    """Placeholders nothing fills; ``names`` in order of first use."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"the reply needs values for: {', '.join(names)}")
        self.names = names


def initials(name: str) -> str:
    """An agent's initials from their name: ``Jamie Jones`` -> ``JJ``."""
    return "".join(part[0].upper() for part in name.split() if part)


def variables_of(template: str) -> list[str]:
    """The variable names a template uses, in order of first use."""
    return list(dict.fromkeys(VARIABLE.findall(template)))


def render(template: str, values: dict[str, str]) -> str:
    """Fills ``{name}`` placeholders; every placeholder needs a value (no half-filled text)."""
    missing = [name for name in variables_of(template) if not values.get(name)]
    if missing:
        raise MissingVariables(missing)
    return VARIABLE.sub(lambda m: values[m.group(1)], template)
