"""Integration events: the only public API between services."""
