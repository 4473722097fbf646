"""CSV cells a spreadsheet will not run as formulas, read back exactly as they were written.

Customers write the text the inbox's corrections export puts in CSV cells, and a supervisor
opens that file in a spreadsheet, which runs a cell starting with ``= + - @``, a tab or a
carriage return as a formula (OWASP "CSV injection"). Such a cell is written with a leading
``'``, which spreadsheets show as text. The same file is the training input of the
classifier's commands, which must see what the customer wrote: so a cell that already
starts with quotes before one of those characters gets one more quote too, which makes
``unescape_cell`` the exact inverse of ``escape_cell``.
"""

import re
from collections.abc import Mapping
from typing import Any

FORMULA_STARTS = "=+-@\t\r"
_FORMULA = f"[{re.escape(FORMULA_STARTS)}]"
_TO_ESCAPE = re.compile(f"'*{_FORMULA}")  # quotes (or none) before a formula's first character
_ESCAPED = re.compile(f"'+{_FORMULA}")


def escape_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs; ``unescape_cell`` gives it back."""
    return f"'{value}" if _TO_ESCAPE.match(value) else value


def unescape_cell(value: str) -> str:
    """What ``escape_cell`` was given."""
    return value[1:] if _ESCAPED.match(value) else value


def unescape_record(record: Mapping[Any, Any]) -> dict[Any, Any]:
    """A ``csv.DictReader`` row with its text cells unescaped (a missing cell stays None)."""
    return {k: unescape_cell(v) if isinstance(v, str) else v for k, v in record.items()}
