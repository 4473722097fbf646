"""Classifier settings."""

from socialcare_runtime.settings import ServiceSettings


class ClassifierSettings(ServiceSettings):
    pass
