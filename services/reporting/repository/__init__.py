"""Reporting's projection writes (asyncpg). Never commits: the unit of work does."""
