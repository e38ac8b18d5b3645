"""The visits service's pages: the member's workbench, the constituent's, the department's and
the office console (committee staff, city and county admins)."""

from __future__ import annotations

from pathlib import Path

from shared.web.pages import pages_router

router = pages_router(
    Path(__file__).resolve().parent / "static",
    pages=("member", "constituent", "department", "office"),
    assets=(
        "app.css",
        "cards.js",
        "member.js",
        "constituent.js",
        "department.js",
        "office.css",
        "office.js",
        "icon.svg",
    ),
)
