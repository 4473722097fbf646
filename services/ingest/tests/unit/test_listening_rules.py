import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from socialcare_ingest.domain.listening import (
    MAX_QUERY_LENGTH,
    MAX_TERM_LENGTH,
    TERM_PATTERN,
    ListeningRules,
)

pytestmark = pytest.mark.unit


def test_query_combines_terms_handles_and_exclusions() -> None:
    rules = ListeningRules(brand_account="acmeshop", brand_names=["Acme Shop", "acme"],
                           handles=["@acmeshop"], abbreviations=["ACS"], misspellings=["acmee"],
                           product_keywords=["rocket skates"], exclusions=["-giveaway", "job"])
    assert rules.query() == ('("Acme Shop" OR acme OR ACS OR acmee OR "rocket skates" OR '
                             '@acmeshop) -giveaway -job -from:acmeshop -is:retweet')


def test_single_term_needs_no_parentheses() -> None:
    assert ListeningRules(brand_account="a", handles=["acme"]).query() == \
        "@acme -from:acme -is:retweet"


@pytest.mark.parametrize("fields", [
    {},  # nothing to listen for
    {"brand_names": ['say "hi"']},
    {"brand_names": [" "]},
    {"brand_names": [f"brandname{i:03d}" for i in range(50)]},  # over the query length
])
def test_unusable_rules_are_refused(fields: dict) -> None:
    with pytest.raises(ValidationError):
        ListeningRules(brand_account="acme", **fields)


def test_query_length_limit_is_the_documented_one() -> None:
    assert MAX_QUERY_LENGTH == 512


@given(st.text(max_size=70))
def test_the_term_pattern_in_the_schema_is_what_the_validator_accepts(term: str) -> None:
    by_schema = 1 <= len(term) <= MAX_TERM_LENGTH and re.search(
        TERM_PATTERN.removesuffix("$") + r"\Z", term) is not None
    try:
        ListeningRules(brand_account="acme", brand_names=["acme"], exclusions=[term])
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == by_schema


def test_the_schema_says_at_least_one_term_is_needed() -> None:
    required = ListeningRules.model_json_schema()["anyOf"]
    assert {tuple(branch["required"]) for branch in required} == {
        ("brand_names",), ("handles",), ("abbreviations",), ("misspellings",),
        ("product_keywords",), ("industry_keywords",)}
