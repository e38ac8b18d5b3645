"""Postgres plumbing: pool, migrations, unit of work, outbox and inbox tables."""
