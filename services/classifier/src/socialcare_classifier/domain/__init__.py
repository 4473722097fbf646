"""Pure classification logic: language, sentiment, intents, private data, listening, priority."""
