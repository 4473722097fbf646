"""Build a service's settings from exactly the environment a deployment file gives it."""

import os
from typing import TypeVar

import pytest
from pydantic_settings import BaseSettings

S = TypeVar("S", bound=BaseSettings)


def settings_from_env(settings_class: type[S], env: dict[str, str]) -> S:
    """``settings_class`` read from ``env`` alone: no SOCIALCARE_* of this shell, no .env."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("SOCIALCARE_")]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        return settings_class(_env_file=None)  # type: ignore[call-arg]
