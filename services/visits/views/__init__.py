"""Visits' read side: SQL and presenters behind the GET endpoints (writes go through handlers)."""
