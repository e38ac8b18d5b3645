"""Members use cases that change state (commands), one module per area; reads are in views."""
