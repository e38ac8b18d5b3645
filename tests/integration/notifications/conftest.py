"""Fixtures for notifications' integration tests (defined in harness.py)."""

from tests.integration.notifications.harness import gateway, smtp

__all__ = ["gateway", "smtp"]
