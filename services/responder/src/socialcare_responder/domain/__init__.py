"""Pure reply logic: delivery planning and circuit breaking."""
