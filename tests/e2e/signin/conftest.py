"""Signing in through Keycloak's real login page: the same Debian headless Chromium as the other
page tests, screenshots in test-artifacts/signin/ (not committed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.visits.conftest import ARTIFACTS, browser

__all__ = ["artifacts", "browser"]


@pytest.fixture
def artifacts() -> Path:
    signin = ARTIFACTS / "signin"
    signin.mkdir(parents=True, exist_ok=True)
    return signin
