import pytest

# Made-up words so the lexicon cannot know them: only training can.
CUES = {
    "negative": ("is grobbly", "went snarfed", "keeps blenching"),
    "neutral": ("is at gate nine", "lands on tuesday", "has a seat map"),
    "positive": ("is wunderfy", "was glimmerous", "made it zappy"),
}


def _synthetic(subjects: tuple[str, ...]) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, cues in CUES.items():
        for subject in subjects:
            for cue in cues:
                texts.append(f"{subject} {cue}")
                labels.append(label)
    return texts, labels


@pytest.fixture(scope="session")
def synthetic():
    """Sentiment-labelled texts, each cue with each given subject: the label lies in the
    cue alone, so a model that learned it labels new subjects right."""
    return _synthetic
