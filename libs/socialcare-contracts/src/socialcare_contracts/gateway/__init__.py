"""gRPC contracts."""
