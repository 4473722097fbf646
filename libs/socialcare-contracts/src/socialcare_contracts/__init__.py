"""SocialCare's shared contracts: event models, topic names, gRPC stubs. Data only, no I/O."""
