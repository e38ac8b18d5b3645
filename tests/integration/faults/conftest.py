"""Fault tests are seeded: FAULT_SEED=<n> replays a run; each test derives its own from it."""

from __future__ import annotations

import os
import zlib

import pytest


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    base = int(os.environ.get("FAULT_SEED", "2026"))
    return base + zlib.crc32(request.node.name.encode()) % 10_000
