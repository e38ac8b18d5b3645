"""Reporting HTTP endpoints: KPIs, drill-down, dossiers and the data-platform feed."""
