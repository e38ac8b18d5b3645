"""Members SQL (asyncpg, $n parameters), one module per aggregate. Never commits."""
