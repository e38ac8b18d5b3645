"""Visits use cases."""
