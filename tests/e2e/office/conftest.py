"""The office console's browser fixtures: the shared headless Chromium of the visits pages."""

from tests.e2e.visits.conftest import artifacts, browser

__all__ = ["artifacts", "browser"]
