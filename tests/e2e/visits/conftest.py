"""A real headless Chromium (Debian's, installed by scripts/ensure-browser.sh) for page tests.

Never `playwright install`: playwright drives /usr/bin/chromium. A missing browser or CJK font
is a failure with the fix in the message, never a skip.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIX = "run scripts/ensure-browser.sh as root (make test runs it first)"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

expect.set_options(timeout=20_000)


def _has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    fonts = subprocess.run(
        [fc_list, ":lang=zh"], capture_output=True, text=True, check=False, timeout=30
    )
    return bool(fonts.stdout.strip())


def _require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: {FIX}", pytrace=False)
    if not _has_cjk_font():
        pytest.fail(f"no Chinese font (Chinese would render as boxes): {FIX}", pytrace=False)


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
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
