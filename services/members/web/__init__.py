"""The members service's page: a liaison, signed in as a constituent, reports their own life
change, request or hardship (联系人自报情况), which obliges their member to visit."""

from __future__ import annotations

from pathlib import Path

from shared.web.pages import pages_router

router = pages_router(
    Path(__file__).resolve().parent / "static",
    pages=("liaison",),
    assets=("liaison.css", "liaison.js"),
)
