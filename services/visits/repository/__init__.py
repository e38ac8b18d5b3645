"""Visits SQL (asyncpg, $n parameters). Never commits."""
