import json

import pytest

from socialcare_classifier.domain.taxonomy import (
    BrandTaxonomy,
    NaiveBayesModel,
    split_holdout,
    train_model,
)

pytestmark = pytest.mark.unit

EXAMPLES = [
    ("my bag never showed up at the carousel", "luggage"),
    ("lost luggage again, where is my suitcase", "luggage"),
    ("the suitcase came back with a broken handle", "luggage"),
    ("baggage claim says my bag went to denver", "luggage"),
    ("flight delayed three hours and no updates", "delay"),
    ("we are still sitting at the gate, delayed again", "delay"),
    ("another delay, the plane is late every time", "delay"),
    ("our departure got pushed back twice, late late late", "delay"),
    ("the agent on the phone was rude and hung up", "service"),
    ("nobody answers the customer service line", "service"),
    ("support agent refused to help me and was rude", "service"),
    ("on hold for an hour with customer service", "service"),
]


def model() -> NaiveBayesModel:
    return train_model([t for t, _ in EXAMPLES], [label for _, label in EXAMPLES], min_df=1)


def test_learns_categories_from_examples_including_unseen_wording() -> None:
    m = model()
    assert m.predict("where is my suitcase? the bag is lost") == "luggage"
    assert m.predict("delayed once more, still at the gate") == "delay"
    assert m.predict("customer service agent was so rude") == "service"
    assert sum(m.probabilities("anything").values()) == pytest.approx(1.0)


def test_character_ngrams_tolerate_misspellings() -> None:
    assert model().predict("my sutcase and lugage are lost") == "luggage"


def test_model_survives_a_json_round_trip_unchanged() -> None:
    m = model()
    again = NaiveBayesModel.from_dict(json.loads(json.dumps(m.to_dict())))
    text = "rude agent and a delayed flight"
    assert again.probabilities(text) == pytest.approx(m.probabilities(text))
    with pytest.raises(ValueError):
        NaiveBayesModel.from_dict({"kind": "svm"})


def test_training_refuses_a_single_category() -> None:
    with pytest.raises(ValueError):
        train_model(["a b", "c d"], ["x", "x"])


def test_holdout_is_stratified_seeded_and_disjoint() -> None:
    rows = [(f"text {i}", "a" if i % 4 else "b") for i in range(40)]
    train, test = split_holdout(rows, 0.2)
    assert split_holdout(rows, 0.2) == (train, test)
    assert sorted(train + test) == sorted(rows)
    assert {label for _, label in test} == {"a", "b"}
    assert len(test) == 8


def test_keyword_phrases_match_with_one_typo_per_long_word_and_win_over_the_model() -> None:
    taxonomy = BrandTaxonomy("acme", keywords=(("loyalty", ("reward points", "gold status")),),
                             model=model())
    assert taxonomy.categorize("where did my rewrad points go?") == ("loyalty",)
    assert taxonomy.categorize("my gold status vanished") == ("loyalty",)
    # Short words must match exactly: "gold" one edit from "good" is not the phrase.
    assert taxonomy.categorize("good status") != ("loyalty",)
    assert taxonomy.categorize("lost luggage at the carousel") == ("luggage",)


def test_unsure_model_gives_no_category() -> None:
    taxonomy = BrandTaxonomy("acme", model=model(), min_confidence=0.99)
    assert taxonomy.categorize("hello there") == ()


def test_version_changes_with_content_and_survives_round_trip() -> None:
    a = BrandTaxonomy("acme", keywords=(("x", ("alpha",)),))
    b = BrandTaxonomy("acme", keywords=(("x", ("beta",)),))
    assert a.version.startswith("acme@") and a.version != b.version
    assert BrandTaxonomy.from_dict(json.loads(json.dumps(a.to_dict()))).version == a.version
    with pytest.raises(ValueError):
        BrandTaxonomy.from_dict({"keywords": {}})
