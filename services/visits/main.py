"""Composition root of the visits service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.visits.consumers import member_roster
from services.visits.settings import VisitsSettings
from shared.bootstrap import create_platform_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: VisitsSettings | None = None) -> FastAPI:
    return create_platform_app(
        settings or VisitsSettings(),
        title="Visits service (走访与履职清单)",
        description="Contact records, must-visit obligations and the duty list.",
        migrations_dir=MIGRATIONS,
        consumers=[member_roster],
    )
