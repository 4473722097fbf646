import pytest
from pydantic import ValidationError

from socialcare_ingest.domain.listening import MAX_QUERY_LENGTH, ListeningRules

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
