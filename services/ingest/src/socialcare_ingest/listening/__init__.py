"""Brand-mention listening: rules, the X recent-search client and the poller."""
