"""Pure ingest logic: signatures, listening queries, rate and dedupe bookkeeping (no I/O)."""
