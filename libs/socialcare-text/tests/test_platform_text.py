import pytest

from socialcare_text.platform_text import split_thread, weighted_length

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "expected"), [
    ("hello", 5),
    ("café", 4),                                   # NFC: one code point
    ("こんにちは", 10),                              # CJK weighs 2
    ("thanks 🙏", 9),                               # emoji weighs 2
    ("👩‍💻", 2),                                     # a ZWJ sequence counts once
    ("👍🏽", 2),                                     # skin tone modifier adds nothing
    ("see https://example.com/a/very/long/path/that/goes/on?and=on", 4 + 23),
    ("www.example.com", 23),
])
def test_weighted_length_counts_as_x_does(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_codepoints_counting_is_plain_length() -> None:
    assert weighted_length("こんにちは https://example.com", "codepoints") == 25


def test_short_text_is_one_part_without_numbering() -> None:
    assert split_thread("We're on it", 280) == ["We're on it"]


def test_long_text_splits_into_numbered_parts_within_the_limit() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    parts = split_thread(text, 280)
    assert len(parts) > 1
    assert all(weighted_length(p) <= 280 for p in parts)
    assert [p.rsplit(" ", 1)[1] for p in parts] == [f"{i}/{len(parts)}"
                                                    for i in range(1, len(parts) + 1)]
    # Nothing lost, nothing reordered.
    assert " ".join(p.rsplit(" ", 1)[0] for p in parts) == text


def test_cjk_splits_by_weight_not_characters() -> None:
    parts = split_thread("注文" * 150, 280)            # 600 weighted, one long "word"
    assert all(weighted_length(p) <= 280 for p in parts)
    assert "".join(p.rsplit(" ", 1)[0] for p in parts) == "注文" * 150


def test_urls_stay_whole() -> None:
    url = "https://example.com/" + "x" * 400
    parts = split_thread(("a " * 130) + url, 280)
    assert any(url in p for p in parts)
