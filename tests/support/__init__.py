"""Test support: the real stack, service runners, tokens, Kafka helpers, condition waits."""
