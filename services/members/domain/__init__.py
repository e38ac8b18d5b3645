"""Members' domain rules: pure, synchronous, no I/O."""
