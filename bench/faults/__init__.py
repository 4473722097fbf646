"""Fault-injection suite: traffic and agents flow while services, Kafka and MongoDB fail."""
