"""Schemathesis hooks of the OpenAPI fuzzing test, loaded through SCHEMATHESIS_HOOKS.

A ``date-time`` in our documents also carries a ``pattern`` bounding its year
(``socialcare_contracts.limits.TIMESTAMP_PATTERN``). Schemathesis generates date-times of
any year and filters them by the pattern, which almost never passes; this strategy
generates date-times as clients write them, in the documented years, with any offset.
"""

from datetime import datetime, timedelta, timezone

import schemathesis
from hypothesis import strategies as st

from socialcare_contracts.limits import MAX_YEAR, MIN_YEAR

_OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes)))

schemathesis.openapi.format("date-time", st.datetimes(
    min_value=datetime(MIN_YEAR, 1, 1), max_value=datetime(MAX_YEAR, 12, 31, 23, 59, 59),
    timezones=_OFFSETS).map(datetime.isoformat))
