"""Agents correct a message's labels; supervisors list and export the corrections of their
brands as labelled examples (CSV or JSONL, the columns ``train-sentiment --data`` reads)."""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from socialcare_contracts.intents import DEFAULT_INTENTS
from socialcare_router.adapters.corrections import CorrectionStore
from socialcare_router.corrections import correct_message, corrections_of
from socialcare_router.deps import (
    AUTH_ERRORS,
    BODY_ERRORS,
    ROLE_ERRORS,
    ActorDep,
    InboxDep,
    StoreDep,
    Supervisor,
    actor_of,
)
from socialcare_router.domain.corrections import (
    CATEGORY,
    EXPORT_COLUMNS,
    LANGUAGE,
    MAX_CATEGORY,
    SENTIMENTS,
    csv_row,
    effective,
    example,
    validate,
)
from socialcare_router.views import QueryTimestamp
from socialcare_runtime.http_errors import error_responses

router = APIRouter(prefix="/v1", tags=["corrections"], responses=AUTH_ERRORS)
NOT_YOURS = error_responses(403, 404, s403="Not a brand of the caller's",
                            s404="No such message or conversation")
MAX_EXPORT = 200_000


def _corrections(store: StoreDep) -> CorrectionStore:
    return CorrectionStore(store.db)


Corrections = Annotated[CorrectionStore, Depends(_corrections)]
# The schema states what the domain checks (validate), so clients and fuzzers see it.
Intent = Annotated[str, Field(max_length=64,
                              json_schema_extra={"enum": list(DEFAULT_INTENTS)})]


class CorrectionRequest(BaseModel):
    """The labels to correct; the ones left out keep the classifier's values."""

    # The schema says what validate() does: at least one label given (null is none).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": [name], "properties": {name: {"type": kind}}}
        for name, kind in (("sentiment", "string"), ("intents", "array"),
                           ("language", "string"), ("category", "string"))]})
    sentiment: Annotated[str, Field(json_schema_extra={"enum": list(SENTIMENTS)})] | None = \
        None
    intents: list[Intent] | None = Field(
        default=None, max_length=20,
        description="The message's intents, from GET /v1/catalog ([] for none)")
    language: Annotated[str, Field(max_length=35, pattern=LANGUAGE.pattern)] | None = Field(
        default=None, description="A BCP 47 tag: en, pt-BR, und")
    category: Annotated[str, Field(max_length=MAX_CATEGORY,
                                   pattern=CATEGORY.pattern)] | None = Field(
        default=None, description="The brand's own category, not only spaces")


class CorrectionView(BaseModel):
    id: str
    message_id: str
    conversation_id: str | None = None
    brand_account: str
    text: str = Field(description="The message as the agent corrected it")
    labels: dict[str, Any] = Field(description="Only the labels the agent set")
    original: dict[str, Any] = Field(
        description="The classifier's labels, and decided_by: which stage set each")
    effective: dict[str, Any] = Field(description="The labels as the agent left them")
    corrected_by: str
    corrected_at: AwareDatetime
    changes: int = Field(1, description="Corrections made to this message so far")

    @classmethod
    def of(cls, doc: dict[str, Any]) -> "CorrectionView":
        at = doc["corrected_at"]
        return cls(id=doc["_id"], effective=effective(doc),
                   corrected_at=at if at.tzinfo else at.replace(tzinfo=UTC),
                   **{k: v for k, v in doc.items()
                      if k in cls.model_fields and k not in ("id", "corrected_at")})


@router.patch("/messages/{message_id}/labels", response_model=CorrectionView,
              responses={**BODY_ERRORS, **NOT_YOURS, **error_responses(
                  422, s422="A label the inbox does not know, or not a customer's message")})
async def correct(message_id: Annotated[str, Path(max_length=300)], body: CorrectionRequest,
                  actor: ActorDep, inbox: InboxDep, store: StoreDep,
                  corrections: Corrections) -> CorrectionView:
    """Corrects a customer message's sentiment, intents, language or category; the
    correction becomes a labelled example of the brand, with who and when."""
    labels = validate(body.sentiment, body.intents, body.language, body.category)
    return CorrectionView.of(await correct_message(
        inbox, corrections, store.audit, actor, message_id, labels, datetime.now(UTC)))


@router.get("/conversations/{conversation_id}/corrections",
            response_model=list[CorrectionView], responses=NOT_YOURS)
async def of_conversation(conversation_id: Annotated[str, Path(max_length=64)],
                          actor: ActorDep, inbox: InboxDep,
                          corrections: Corrections) -> list[CorrectionView]:
    """The corrections of a conversation's messages."""
    return [CorrectionView.of(d)
            for d in await corrections_of(inbox, corrections, actor, conversation_id)]


def _brands(user: Any, brand: str | None) -> list[str] | None:
    """The brands a supervisor's list or export covers: theirs, or the one asked for."""
    actor = actor_of(user)
    if brand is None:
        return actor.brand_filter()
    if not actor.covers(brand):
        raise HTTPException(403, f"brand {brand} is outside your scope")
    return [brand]


BrandQuery = Annotated[str | None, Query(max_length=128, pattern=r"^[A-Za-z0-9_.@-]+$")]


@router.get("/corrections", response_model=list[CorrectionView],
            responses={**ROLE_ERRORS, **error_responses(403)})
async def recent(user: Supervisor, corrections: Corrections, brand: BrandQuery = None,
                 before: QueryTimestamp | None = None,
                 before_id: Annotated[str | None, Query(
                     max_length=500, description="With before: the id of the previous "
                     "page's last correction, whose corrected_at is before")] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[CorrectionView]:
    """The newest corrections of the caller's brands (or one of them); the next page is
    ?before=<last corrected_at>&before_id=<last id>, which skips none made at one instant
    (before alone lists only those strictly older)."""
    if before_id is not None and before is None:
        raise HTTPException(422, "before_id needs before (the same correction's corrected_at)")
    return [CorrectionView.of(d) for d in await corrections.recent(
        _brands(user, brand), before, limit, before_id)]


@router.get("/corrections/export", response_class=StreamingResponse,
            responses={**ROLE_ERRORS, **error_responses(403), 200: {
                "content": {"text/csv": {}, "application/x-ndjson": {}},
                "description": "One labelled example a line: " + ", ".join(EXPORT_COLUMNS)}})
async def export(user: Supervisor, corrections: Corrections, brand: BrandQuery = None,
                 format: Literal["csv", "jsonl"] = "csv",  # noqa: A002 (the query's name)
                 limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT
                 ) -> StreamingResponse:
    """The corrections as training data, oldest first: `train-sentiment --data FILE` reads
    it as it is (`label` is the corrected sentiment, empty where only other labels were
    corrected: such rows are skipped by sentiment training)."""
    rows = corrections.export(_brands(user, brand), limit)
    lines = _csv(rows) if format == "csv" else _jsonl(rows)
    name = f"corrections-{brand or 'all'}.{format}"
    return StreamingResponse(lines, media_type="text/csv" if format == "csv"
                             else "application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def _csv(docs: AsyncIterator[dict[str, Any]]) -> AsyncIterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    async for doc in docs:
        writer.writerow(csv_row(example(doc)))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


async def _jsonl(docs: AsyncIterator[dict[str, Any]]) -> AsyncIterator[str]:
    async for doc in docs:
        yield json.dumps(example(doc), ensure_ascii=False) + "\n"
