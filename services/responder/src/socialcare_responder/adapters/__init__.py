"""I/O adapters: gRPC gateway clients."""
