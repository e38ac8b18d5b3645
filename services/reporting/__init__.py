"""Reporting service: KPIs and projections built only from events, and the data-platform feed."""
