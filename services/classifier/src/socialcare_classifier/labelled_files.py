"""Labelled files the training commands read: CSV or JSONL, such as the inbox's export of
agents' corrections (whose CSV cells are escaped against spreadsheet formulas)."""

import csv
import json
from pathlib import Path
from typing import Any

from socialcare_contracts.csv_cells import unescape_record

Record = dict[str, Any]


def read_records(path: Path) -> tuple[set[str], list[Record]]:
    """The file's columns and records; CSV cells as they were written before the export
    escaped them."""
    with path.open(encoding="utf-8", newline="") as f:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            records = [json.loads(line) for line in f if line.strip()]
            return (set().union(*(r.keys() for r in records)) if records else set()), records
        reader = csv.DictReader(f)
        return set(reader.fieldnames or ()), [unescape_record(r) for r in reader]


def of_brand(path: Path, columns: set[str], records: list[Record], brand: str | None
             ) -> list[Record]:
    """The brand's records when the file has a brand column (all of them otherwise);
    ValueError naming the brands it has when none is the brand's."""
    if brand is None or "brand" not in columns:
        return records
    brands = {str(r.get("brand") or "").strip().lower() for r in records}
    chosen = [r for r in records if str(r.get("brand") or "").strip().lower() == brand]
    if not chosen:
        raise ValueError(f"{path} has no rows of brand {brand}; its brands are "
                         f"{', '.join(sorted(brands)[:10])}")
    return chosen


def labelled_rows(path: Path, text_column: str, label_column: str, brand: str | None = None
                  ) -> list[tuple[str, str]]:
    """(text, label) of the rows with both (the brand's, with ``brand``), label stripped;
    ValueError naming a missing column with the columns the file has."""
    columns, records = read_records(path)
    missing = {text_column, label_column} - columns
    if missing:
        raise ValueError(f"{path} has no column(s) {', '.join(sorted(missing))}; it has "
                         f"{', '.join(sorted(columns)) or 'none'} (see --text-column, "
                         f"--label-column)")
    return [(str(r[text_column]), str(r[label_column]).strip())
            for r in of_brand(path, columns, records, brand)
            if r.get(text_column) and str(r.get(label_column) or "").strip()]
