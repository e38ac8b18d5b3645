"""The story's browser (the same Debian headless Chromium as the other page tests) and the
directory its screenshots are kept in (test-artifacts/story, not committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.visits.conftest import ARTIFACTS, browser

__all__ = ["artifacts", "browser"]


@pytest.fixture
def artifacts() -> Path:
    story = ARTIFACTS / "story"
    story.mkdir(parents=True, exist_ok=True)
    return story
