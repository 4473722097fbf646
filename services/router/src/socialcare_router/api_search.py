"""Search across every conversation and message of the caller's brands."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from socialcare_router.adapters.search import SearchIndex, conversations_by_id
from socialcare_router.deps import AUTH_ERRORS, ActorDep, StoreDep
from socialcare_router.domain.search import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    SearchQuery,
    parse_query,
    snippet,
)

router = APIRouter(prefix="/v1", tags=["conversations"], responses=AUTH_ERRORS)


class SearchResult(BaseModel):
    id: str = Field(description="The conversation")
    brand_account: str
    platform: str
    customer_handle: str | None = None
    customer_name: str | None = None
    status: str
    snippet: str = Field(description="Part of the conversation's newest matching message")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) of each matching word in the snippet")
    message_at: datetime = Field(description="When that message was written")


class SearchResults(BaseModel):
    words: list[str] = Field(description=f"The words searched for, as compared (lower case, "
                                         f"no accents): the first {MAX_WORDS} of the query; "
                                         f"none when it holds no letter or digit")
    items: list[SearchResult] = Field(description="Newest matching message first")


def _search(request: Request) -> SearchIndex:
    return request.app.state.search


def result(conversation: dict[str, Any], text: str, at: datetime,
           query: SearchQuery) -> SearchResult:
    customer = conversation.get("customer") or {}
    shown = snippet(text, query)
    return SearchResult(
        id=conversation["_id"], brand_account=conversation["brand_account"],
        platform=conversation["platform"], customer_handle=customer.get("handle"),
        customer_name=customer.get("display_name"), status=conversation["status"],
        snippet=shown.text, highlights=list(shown.highlights), message_at=at)


@router.get("/search", response_model=SearchResults)
async def search(request: Request, actor: ActorDep, store: StoreDep,
                 q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS,
                                         description="Words that must all be in one message "
                                                     "or its customer's handle; a word may "
                                                     "be cut short (local index, see README)")],
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> SearchResults:
    """Conversations of the caller's brands whose messages hold every word of ``q``."""
    query = parse_query(q)
    matches = await _search(request).search(query, actor.brand_filter(), limit) \
        if query.words else []
    # Status and customer as they stand now, by _id; the brand is checked again here.
    found = await conversations_by_id(store.db, [m.conversation_id for m in matches])
    return SearchResults(words=list(query.words), items=[
        result(found[m.conversation_id], m.text, m.created_at, query) for m in matches
        if m.conversation_id in found and actor.covers(found[m.conversation_id]
                                                       ["brand_account"])])
