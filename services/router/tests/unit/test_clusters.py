"""Near-duplicate rules: the same question in other words meets in LSH bands, another
question does not, and every worker computes the same keys."""

import pytest

from socialcare_router.domain.clusters import (
    BANDS,
    MIN_BANDS,
    band_keys,
    choose,
    normalise,
    similarity,
)

pytestmark = pytest.mark.unit


def test_text_is_normalised_to_its_words() -> None:
    assert normalise("@Acme Promo-code SAVE20 isn't working!! https://t.co/x #fail") == \
        "promo code save20 isnt working"


def test_band_keys_are_the_same_in_every_process_and_need_enough_text() -> None:
    keys = band_keys("your promo code SAVE20 isn't working")
    assert keys == band_keys("your promo code SAVE20 isn't working") and len(keys) == BANDS
    assert band_keys("ok thanks") == []


def test_a_rewording_shares_bands_and_another_question_does_not() -> None:
    one = band_keys("the promo code SAVE20 is not working at checkout")
    other = band_keys("SAVE20 promo code not working??")
    unrelated = band_keys("my package never arrived and tracking says delivered")
    assert similarity("the promo code SAVE20 is not working at checkout",
                      "SAVE20 promo code not working??") > 0.4
    assert len(set(one) & set(other)) >= MIN_BANDS
    assert len(set(one) & set(unrelated)) < MIN_BANDS


def test_a_message_joins_the_cluster_it_shares_most_bands_with() -> None:
    owner = {"1:a": "c1", "2:b": "c1", "3:c": "c2"}
    assert choose(["1:a", "2:b", "3:c"], owner) == "c1"
    assert choose(["3:c", "9:z"], owner) is None  # one shared band is chance
    assert choose([], owner) is None
