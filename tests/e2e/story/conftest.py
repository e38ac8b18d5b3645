"""The story's browser (Debian's headless Chromium, as the other page tests use it) and the
directory its screenshots are kept in (tests/artifacts/story, not committed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.e2e.visits.conftest import ARGS, CHROMIUM, _require_browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "story"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    _require_browser()
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
