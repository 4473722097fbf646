"""socialcare_classifier."""
