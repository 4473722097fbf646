import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcare_contracts.csv_cells import (
    FORMULA_STARTS,
    escape_cell,
    unescape_cell,
    unescape_record,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "written"), [
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-5 stars", "'-5 stars"),
    ("@handle thanks", "'@handle thanks"),
    ("\tindented", "'\tindented"),
    ("\r=x", "'\r=x"),
    # Already quoted before a formula character: one more quote, so reading is exact.
    ("'=x", "''=x"),
    ("''=x", "'''=x"),
    # Nothing a spreadsheet would run: as it is.
    ("my order is late", "my order is late"),
    ("'quoted'", "'quoted'"),
    ("'", "'"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_a_formula_cell_is_quoted_and_reads_back_as_written(text: str, written: str) -> None:
    assert escape_cell(text) == written
    assert unescape_cell(written) == text


# Strings made mostly of quotes and formula characters, where an escape could go wrong.
TRICKY = st.text(alphabet=st.sampled_from(["'", "a", " ", "\n", *FORMULA_STARTS]), max_size=8)


@given(st.one_of(TRICKY, st.text()))
def test_every_text_round_trips_and_no_written_cell_starts_a_formula(text: str) -> None:
    written = escape_cell(text)
    assert unescape_cell(written) == text
    assert written[:1] not in FORMULA_STARTS or not written


@given(st.lists(st.one_of(TRICKY, st.text()), min_size=1, max_size=4))
def test_a_row_written_with_the_csv_module_reads_back_exactly(cells: list[str]) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([escape_cell(c) for c in cells])
    names = [f"c{i}" for i in range(len(cells))]
    [record] = csv.DictReader(io.StringIO(out.getvalue(), newline=""), fieldnames=names)
    assert unescape_record(record) == dict(zip(names, cells, strict=True))
