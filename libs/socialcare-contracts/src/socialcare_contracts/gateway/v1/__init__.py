"""Generated gRPC stubs (make proto); do not edit."""
