"""Listening rules and the X search query they make (pure)."""

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialcare_contracts.limits import Id, clean_text

MAX_QUERY_LENGTH = 512  # X API v2 recent search, self-serve tiers
Term = Field(default=(), max_length=50)


class ListeningRules(BaseModel):
    """What to listen for on behalf of one brand account."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brand_account: Id
    brand_names: tuple[str, ...] = Term
    handles: tuple[str, ...] = Field(default=(), max_length=20,
                                     description="The brand's own X handles, without @")
    abbreviations: tuple[str, ...] = Term
    misspellings: tuple[str, ...] = Term
    product_keywords: tuple[str, ...] = Term
    industry_keywords: tuple[str, ...] = Term
    exclusions: tuple[str, ...] = Field(default=(), max_length=50,
                                        description="Terms whose tweets are left out")
    brand_user_ids: tuple[str, ...] = Field(
        default=(), max_length=20, description="The brand's X user ids: their tweets are skipped")
    enabled: bool = True

    @field_validator("brand_names", "handles", "abbreviations", "misspellings",
                     "product_keywords", "industry_keywords", "exclusions", "brand_user_ids")
    @classmethod
    def _clean(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(clean_text(v).strip().lstrip("@-") for v in values)
        if any(not v or len(v) > 64 or '"' in v or "\n" in v or "\t" in v for v in cleaned):
            raise ValueError("terms are 1-64 characters on one line without double quotes")
        return cleaned

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
