"""One customer across channels: linked platform identities and their history (being built)."""

from fastapi import APIRouter

from socialcare_router.deps import AUTH_ERRORS

router = APIRouter(prefix="/v1", tags=["people"], responses=AUTH_ERRORS)
