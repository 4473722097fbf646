"""Pure routing logic: no I/O, tested alone."""
