"""The same headless Chromium as the visits pages (Debian's /usr/bin/chromium, no download)."""

from tests.e2e.visits.conftest import artifacts, browser

__all__ = ["artifacts", "browser"]
