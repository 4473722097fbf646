"""socialcare_ingest."""
