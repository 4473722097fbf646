"""I/O at the edges: MongoDB repositories."""
