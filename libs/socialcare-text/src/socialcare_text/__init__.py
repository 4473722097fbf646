"""socialcare_text: pure text rules shared by the services (no infrastructure)."""
