"""Runs real Kafka and PostgreSQL on this machine without Docker, for tests and local runs."""
