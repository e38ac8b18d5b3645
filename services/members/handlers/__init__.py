"""Members use cases, one module per area."""
