"""I/O edges of the classifier: the rules topic and its admin tools."""
