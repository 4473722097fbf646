"""The deep stage: multilingual embeddings in batches, refining the fast stage's labels."""
