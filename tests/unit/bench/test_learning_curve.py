"""The learning-curve benchmark's own logic: arrival order, one point per size (the lexicon
first), and a clean skip without the shared data."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.learning_curve import arrival_times, curve, main

pytestmark = pytest.mark.unit
CUES = {"negative": ("is grobbly", "went snarfed", "keeps blenching"),
        "neutral": ("is at gate nine", "lands on tuesday", "has a seat map"),
        "positive": ("is wunderfy", "was glimmerous", "made it zappy")}
SUBJECTS = ("the zorbix", "my flarn", "our quibble", "this trebon", "the vask", "a plimmet",
            "the drowl", "her snib")


def test_a_row_without_a_time_arrives_with_the_row_above_it() -> None:
    times = arrival_times(["2015-02-24 11:14:45 -0800", "", "[40.6, -73.7]",
                           "2015-02-24 09:15:00 -0800"])
    assert times[1] == times[2] == times[0]
    assert times[3] < times[0]
    assert arrival_times([""])[0] == datetime.min.replace(tzinfo=UTC)


def test_the_curve_starts_at_the_lexicon_and_learns_from_more_corrections() -> None:
    rows = [(f"{s} {c}", label) for s in SUBJECTS for label, cues in CUES.items()
            for c in cues]
    held_out = [(f"the plonk {c}", label) for label, cues in CUES.items() for c in cues]
    points = curve(rows, held_out, [45, 10_000], c_grid=(10.0,))  # one C: no CV
    assert [p.corrected for p in points] == [0, 45, len(rows)]
    assert points[0].c is None and all(p.c is not None for p in points[1:])
    # The lexicon knows none of the made-up words; corrections teach every cue.
    assert points[0].macro_f1 < 0.5 and points[-1].macro_f1 == 1.0
    assert points[1].changed <= 45


def test_without_the_shared_data_it_skips_with_a_message(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    assert main(["--data", str(tmp_path / "airline-dev.csv"), "--no-plot"]) == 0
    assert "absent" in capsys.readouterr().out
