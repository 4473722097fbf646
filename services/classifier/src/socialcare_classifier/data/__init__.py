"""Data shipped with the classifier: the labelled evaluation set."""
