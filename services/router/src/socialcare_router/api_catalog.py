"""The values the system emits, for the page's filters: none offers what never occurs."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from socialcare_contracts.intents import DEFAULT_INTENTS
from socialcare_router.deps import AUTH_ERRORS, AnyUser

router = APIRouter(prefix="/v1", tags=["inbox"], responses=AUTH_ERRORS)


class Catalog(BaseModel):
    """Filter values: the classifier's default intents (brand taxonomies may add more)."""

    intents: list[str] = Field(description="Intents the classifier emits, in taxonomy order")


@router.get("/catalog", response_model=Catalog)
async def catalog(_: AnyUser) -> Catalog:
    """The values the inbox's filters offer."""
    return Catalog(intents=list(DEFAULT_INTENTS))
