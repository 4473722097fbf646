"""socialcare_local."""
