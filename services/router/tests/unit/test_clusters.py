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
    assert choose(["1:a", "2:b", "3:c"], owner).cluster == "c1"
    assert choose(["3:c", "9:z"], owner).cluster is None  # one shared band is chance
    assert choose([], owner).cluster is None


def test_a_message_close_to_two_clusters_shows_they_are_one() -> None:
    owner = {f"{i}:x": "c1" for i in range(5)} | {f"{i}:y": "c2" for i in range(5, 9)} | \
        {"9:z": "c3", "10:z": "c3"}
    keys = [*owner]
    choice = choose(keys, owner)
    assert (choice.cluster, choice.merged, choice.grows) == ("c1", ("c2",), True)  # c3: 2 only
    assert choose(["0:x", "1:x", "5:y", "6:y"], owner).merged == ()  # 2 and 2: join only


def test_only_a_seed_or_a_close_member_widens_its_cluster() -> None:
    owner = {"0:x": "c1", "1:x": "c1", "2:x": "c1", "3:x": "c1"}
    assert choose(["0:x", "1:x", "7:q"], owner).grows is False  # joined on 2 bands
    assert choose([*owner, "7:q"], owner).grows is True
    assert choose(["9:n"], owner).grows is True  # starts a cluster of its own
