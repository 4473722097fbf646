"""The JSON form of a brand taxonomy, with the bounds that keep every worker able to use it.

The admin API takes this model as its request body, so its OpenAPI schema states the same
rules: at least one category with a document count, a positive smoothing, a confidence
between 0 and 1, phrases as lists. A document that passes cannot make classification
fail (no empty model, no division by zero, no NaN threshold).
"""

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from socialcare_contracts.limits import (
    CLEAN_TEXT_PATTERN,
    MAX_NAME_LENGTH,
    MAX_SAFE_INTEGER,
    NAME_PATTERN,
    CleanText,
    Fraction,
    Id,
    Name,
    NonNegativeInt64,
    json_number,
    keys_like,
)

MAX_CATEGORIES = 200
MAX_PHRASES = 500
MAX_PHRASE_LENGTH = 200

Phrase = Annotated[CleanText, Field(min_length=1, max_length=MAX_PHRASE_LENGTH)]
Feature = Annotated[CleanText, Field(min_length=1, max_length=MAX_PHRASE_LENGTH)]
DocumentCount = Annotated[int, Field(ge=1, le=MAX_SAFE_INTEGER), BeforeValidator(json_number)]
CATEGORY_KEYS = keys_like(NAME_PATTERN, MAX_NAME_LENGTH)


class NaiveBayesDocument(BaseModel):
    """A trained model as ``train --save`` writes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["naive_bayes"]
    alpha: float = Field(default=0.3, gt=0, le=100, allow_inf_nan=False, strict=True,
                         description="Additive smoothing; 0 would divide by zero")
    class_docs: dict[Name, DocumentCount] = Field(
        min_length=1, max_length=MAX_CATEGORIES, json_schema_extra=CATEGORY_KEYS,
        description="Training documents per category: at least one category, each counted")
    feature_counts: dict[Name, Annotated[
        dict[Feature, NonNegativeInt64],
        Field(json_schema_extra=keys_like(CLEAN_TEXT_PATTERN, MAX_PHRASE_LENGTH))]] = Field(
        max_length=MAX_CATEGORIES, json_schema_extra=CATEGORY_KEYS,
        description="Per category, how many of its documents had each feature")


class TaxonomyDocument(BaseModel):
    """Keyword phrases per category and/or a learned model, and the model's threshold."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"anyOf": [
            {"required": ["keywords"], "properties": {"keywords": {"minProperties": 1}}},
            {"required": ["model"], "properties": {"model": {"type": "object"}}},
        ]})

    brand: Id | None = Field(default=None, description="Ignored by the API: the path names it")
    keywords: dict[Name, Annotated[list[Phrase], Field(min_length=1, max_length=MAX_PHRASES)]] \
        = Field(default_factory=dict, max_length=MAX_CATEGORIES, json_schema_extra=CATEGORY_KEYS,
                description="Category -> its phrases (a list, even of one)")
    model: NaiveBayesDocument | None = None
    min_confidence: Fraction = Field(
        default=0.5, description="The model's least probability to categorize")

    @model_validator(mode="after")
    def _keywords_or_model(self) -> "TaxonomyDocument":
        if not self.keywords and self.model is None:
            raise ValueError("a taxonomy needs keywords or a model")
        return self
