"""Report routes: care performance over a period, as JSON or CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from socialcare_router.deps import AUTH_ERRORS, ROLE_ERRORS, StoreDep, Supervisor, actor_of
from socialcare_router.domain.reports import build_report, report_rows
from socialcare_router.views import QueryTimestamp
from socialcare_runtime.http_errors import error_responses

router = APIRouter(prefix="/v1", tags=["reports"], responses={**AUTH_ERRORS, **ROLE_ERRORS})
MAX_PERIOD = timedelta(days=366)


@router.get("/reports", responses={
    200: {"content": {"text/csv": {}}, "description": "The report (JSON or CSV)"},
    **error_responses(422, s422="Invalid input, a period that is empty or over 366 days, or an "
                       "unknown time zone")})
async def report(
    user: Supervisor, store: StoreDep, start: QueryTimestamp, end: QueryTimestamp,
    format: Literal["json", "csv"] = "json",
    timezone: Annotated[str, Query(max_length=64, description="For volume by hour")] = "UTC",
) -> Any:
    """First response and resolution times, 1h/24h shares, SLA per deadline kind, volumes,
    per agent, queue and brand, over conversations whose customer first wrote in the period."""
    if not start < end <= start + MAX_PERIOD:
        raise HTTPException(422, "end must be after start and at most 366 days later")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HTTPException(422, f"unknown time zone {timezone!r}") from exc
    docs = [d async for d in store.conversations_between(
        start, end, actor_of(user).brand_filter())]
    result = build_report(docs, datetime.now(UTC), timezone)
    if format == "json":
        return {"start": start, "end": end, **result}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "key", "metric", "value"])
    writer.writerows(report_rows(result))
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="report.csv"'})
