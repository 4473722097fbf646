"""Local HTTP servers that answer as platform APIs document, errors included."""
