"""socialcare_gateways."""
