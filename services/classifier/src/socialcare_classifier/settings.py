"""Classifier settings."""

from pathlib import Path

from pydantic import Field

from socialcare_runtime.settings import ServiceSettings


class ClassifierSettings(ServiceSettings):
    repeat_window_hours: float = Field(
        default=24.0, gt=0, le=24 * 30,
        description="A customer's earlier messages within this window count as repeated contact")
    repeat_max_tracked: int = Field(
        default=50, ge=1, le=1000, description="Recent messages kept per conversation key")
    # Measured: 0.4-0.8 KiB per key with 1-5 messages, 6.2 KiB at the 50-message cap, so
    # the default stays near 300 MiB even when every key is flooded (pod limit 512 MiB).
    repeat_max_keys: int = Field(
        default=50_000, ge=1, le=10_000_000,
        description="Conversation keys whose history a worker keeps (least recent dropped)")
    model_min_macro_f1: float = Field(
        default=0.5, ge=0, le=1, description="Held-out macro-F1 a trained model needs to activate")
    classifier_model_dir: Path = Field(
        default_factory=lambda: Path.home() / ".local/share/socialcare/models",
        description="Where train-sentiment writes its versioned artifacts (weights and metadata)")
    # The deep stage (issue 16): both chosen on the dev half of the labelled TWCS tweets.
    deep_intent_min_similarity: float = Field(
        default=0.36, ge=-1, le=1,
        description="Similarity to an intent's prototype (centred cosine) the deep stage needs "
                    "to give an intent to a message the rules gave none")
    deep_intent_margin: float = Field(
        default=0.02, ge=0, le=2, description="Intents within this of the best one are kept too")
    deep_threads: int = Field(
        default=1, ge=1, le=64,
        description="Threads the embedding engine uses; scale with workers (KEDA), not here")
    host: str = "127.0.0.1"
    classifier_admin_port: int = Field(default=8083, ge=1, le=65535)
    classifier_admin_keys: dict[str, str] = Field(
        default={"dev-classifier-admin-key": "dev-admin"},
        description="Admin API key -> who holds it (recorded as changed_by on each change)")
    # Kafka's default record limit is 1 MiB; a taxonomy with its model must fit in one record.
    classifier_admin_max_body_bytes: int = Field(default=900_000, ge=1024, le=900_000)
