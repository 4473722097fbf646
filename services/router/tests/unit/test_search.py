from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_router.adapters.fts_index import FtsIndex
from socialcare_router.adapters.local_search import row_of
from socialcare_router.adapters.search import text_search_pipeline
from socialcare_router.domain.search import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    SearchQuery,
    fts5_match,
    mongo_text_search,
    parse_query,
    snippet,
)

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_a_query_is_its_folded_words_once_each() -> None:
    assert parse_query("  Refund, REFUND  Café @dana_k!").words == ("refund", "cafe", "dana", "k")


def test_a_query_without_letters_or_digits_has_no_words() -> None:
    assert parse_query("?! -- @ _").words == ()


def test_only_the_first_words_are_searched_for() -> None:
    assert parse_query("a b a c d e f g h i j").words == tuple("abcdefgh")
    assert len(parse_query(" ".join(map(str, range(100)))).words) == MAX_WORDS


@given(st.text(max_size=MAX_QUERY_CHARS))
def test_no_user_input_reaches_the_backends_as_syntax(q: str) -> None:
    query = parse_query(q)
    # Each word quoted, holding nothing but letters and digits: no quote, operator or colon.
    assert len(query.words) <= MAX_WORDS
    assert all(w.isalnum() for w in query.words)
    assert fts5_match(query) == " ".join(f'"{w}"*' for w in query.words)
    assert mongo_text_search(query) == " ".join(f'"{w}"' for w in query.words)


def test_a_snippet_marks_every_word_that_starts_with_a_query_word() -> None:
    shown = snippet("Need a REFUND: refunds take ages, no refusal", SearchQuery(("refun",)))
    assert shown.text == "Need a REFUND: refunds take ages, no refusal"
    assert [shown.text[s:e] for s, e in shown.highlights] == ["REFUND", "refunds"]


def test_a_long_message_is_cut_around_its_first_match_at_word_boundaries() -> None:
    text = " ".join(f"word{i}" for i in range(60)) + " the parcel never came " + "tail " * 40
    shown = snippet(text, SearchQuery(("parcel",)), width=60)
    assert shown.text.startswith("…word") and shown.text.endswith("…")
    assert len(shown.text) <= 62
    [(start, end)] = shown.highlights
    assert shown.text[start:end] == "parcel"


def test_a_snippet_without_a_match_in_the_text_is_its_start() -> None:
    shown = snippet("matched by the customer's handle only", SearchQuery(("dana",)), width=20)
    assert shown == snippet("matched by the customer's handle only", SearchQuery(("x",)), 20)
    assert shown.text == "matched by the…" and shown.highlights == ()


def test_only_customers_names_are_indexed_with_their_messages() -> None:
    inbound = {"_id": "x:acme:1", "conversation_id": "c1", "created_at": T0, "text": "hi",
               "direction": "inbound", "author": {"handle": "dana", "display_name": "Dana K"}}
    assert row_of(inbound) == ("x:acme:1", "c1", T0, "hi", "dana Dana K")
    assert row_of({**inbound, "direction": "outbound"})[4] == ""  # type: ignore[index]
    assert row_of({**inbound, "conversation_id": None}) is None


def test_the_local_index_finds_prefixes_newest_per_conversation_in_scope(tmp_path: Path) -> None:
    index = FtsIndex(tmp_path / "i.sqlite")
    index.add_conversations([("c1", "acme"), ("c2", "globex")])
    index.add_messages([
        ("k1", "c1", T0, "refund please", "dana"),
        ("k2", "c1", T0 + timedelta(minutes=1), "still no refund", ""),
        ("k3", "c2", T0 + timedelta(minutes=2), "refunded?", "lee")], ())
    match = fts5_match(parse_query("REFUN"))
    assert [(m.conversation_id, m.message_key) for m in index.search(match, None, 10)] == [
        ("c2", "k3"), ("c1", "k2")]
    assert [m.conversation_id for m in index.search(match, ["acme"], 10)] == ["c1"]
    assert index.search(match, None, 1)[0].created_at == T0 + timedelta(minutes=2)
    assert [m.message_key for m in index.search(fts5_match(parse_query("dan")), None, 5)] \
        == ["k1"]
    assert index.search(fts5_match(parse_query("refund dana lee")), None, 5) == []


def test_awaited_keys_are_kept_until_stored_or_given_up(tmp_path: Path) -> None:
    index = FtsIndex(tmp_path / "i.sqlite")
    index.add_messages([("k1", "c1", T0, "hello", "")], ())
    assert index.await_messages(["k1", "k2", "k3", "k2"]) == 2  # k1 is indexed already
    index.add_messages([], ["k2"])  # stored, in no conversation
    assert index.pending(10) == ["k3"]
    assert index.give_up_before(datetime.now(UTC).timestamp() + 1) == 1
    assert index.pending(10) == []


def test_the_mongodb_pipeline_matches_text_first_and_scopes_brands_before_the_limit() -> None:
    query = parse_query("refund late")
    scoped = text_search_pipeline(query, ["acme"], 20)
    # MongoDB takes $text only in the first $match.
    assert scoped[0]["$match"]["$text"] == {"$search": '"refund" "late"'}
    stages = [next(iter(stage)) for stage in scoped]
    assert stages.index("$lookup") < stages.index("$match", 1) < stages.index("$limit")
    assert {"$match": {"brand": {"$in": ["acme"]}}} in scoped and scoped[-1] == {"$limit": 20}
    assert len(text_search_pipeline(query, None, 20)) == len(scoped) - 1
