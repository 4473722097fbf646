"""Listening rules and the X search query they make (pure)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialcare_contracts.limits import Id, clean_text

MAX_QUERY_LENGTH = 512  # X API v2 recent search, self-serve tiers
MAX_TERM_LENGTH = 64
# What the validator below accepts, for the schema: a letter or digit, no double quote, no
# control character. (Python's [^\W_] is exactly str.isalnum.)
TERM_PATTERN = r'^[^"\x00-\x1f\x7f]*[^\W_][^"\x00-\x1f\x7f]*$'
Term = Annotated[str, Field(min_length=1, max_length=MAX_TERM_LENGTH,
                            json_schema_extra={"pattern": TERM_PATTERN})]
Terms = Field(default=(), max_length=50)
LISTENED = ("brand_names", "handles", "abbreviations", "misspellings", "product_keywords",
            "industry_keywords")


class ListeningRules(BaseModel):
    """What to listen for on behalf of one brand account."""

    # The schema states what it can: at least one term to listen for. The query's length
    # (at most 512 characters, a sum over the lists) no schema keyword states: 422 says it.
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={
        "anyOf": [{"required": [name], "properties": {name: {"minItems": 1}}}
                  for name in LISTENED],
        "description": "What to listen for on behalf of one brand account. The X query the "
                       f"rules make must fit {MAX_QUERY_LENGTH} characters."})

    brand_account: Id
    brand_names: tuple[Term, ...] = Terms
    handles: tuple[Term, ...] = Field(default=(), max_length=20,
                                      description="The brand's own X handles, without @")
    abbreviations: tuple[Term, ...] = Terms
    misspellings: tuple[Term, ...] = Terms
    product_keywords: tuple[Term, ...] = Terms
    industry_keywords: tuple[Term, ...] = Terms
    exclusions: tuple[Term, ...] = Field(default=(), max_length=50,
                                         description="Terms whose tweets are left out")
    brand_user_ids: tuple[Term, ...] = Field(
        default=(), max_length=20, description="The brand's X user ids: their tweets are skipped")
    enabled: bool = True

    @field_validator("brand_names", "handles", "abbreviations", "misspellings",
                     "product_keywords", "industry_keywords", "exclusions", "brand_user_ids")
    @classmethod
    def _clean(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            clean_text(value)
            if '"' in value or any(c in value for c in "\t\n\r") or not any(
                    c.isalnum() for c in value):
                raise ValueError("terms have a letter or digit, on one line, without "
                                 "double quotes")
        return tuple(v.strip().lstrip("@-") for v in values)

    @model_validator(mode="after")
    def _query_fits(self) -> "ListeningRules":
        self.query()
        return self

    def query(self) -> str:
        """The X search query: any brand term, none of the exclusions, no brand or retweets."""
        terms = [*self.brand_names, *self.abbreviations, *self.misspellings,
                 *self.product_keywords, *self.industry_keywords]
        anyof = [_quoted(t) for t in dict.fromkeys(terms)] + [f"@{h}" for h in self.handles]
        if not anyof:
            raise ValueError("rules need at least one brand name, handle or keyword")
        parts = ["(" + " OR ".join(anyof) + ")" if len(anyof) > 1 else anyof[0]]
        parts += [f"-{_quoted(t)}" for t in self.exclusions]
        parts += [f"-from:{h}" for h in self.handles]
        parts.append("-is:retweet")
        query = " ".join(parts)
        if len(query) > MAX_QUERY_LENGTH:
            raise ValueError(f"the query is {len(query)} characters; X allows {MAX_QUERY_LENGTH}")
        return query


def _quoted(term: str) -> str:
    return f'"{term}"' if any(c.isspace() for c in term) else term
