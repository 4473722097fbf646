"""Pure reply logic: text length, composition, delivery planning, circuit breaking."""
