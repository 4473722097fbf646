"""socialcare_runtime."""
