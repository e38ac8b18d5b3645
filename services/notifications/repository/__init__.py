"""Notifications' SQL (asyncpg, $n parameters). Never commits: the unit of work does."""
