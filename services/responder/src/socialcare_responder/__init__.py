"""socialcare_responder."""
