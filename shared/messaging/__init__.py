"""Kafka plumbing: producer, outbox relay, idempotent consumer with DLQ, topic creation."""
