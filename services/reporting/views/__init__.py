"""Read-side SQL for the GET endpoints (rolled up at query time over indexed fact tables)."""
