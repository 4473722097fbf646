"""socialcare_router."""
