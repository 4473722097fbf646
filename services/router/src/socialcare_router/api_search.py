"""Search across every conversation and message of the caller's brands (being built)."""

from fastapi import APIRouter

from socialcare_router.deps import AUTH_ERRORS

router = APIRouter(prefix="/v1", tags=["conversations"], responses=AUTH_ERRORS)
