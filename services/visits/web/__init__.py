"""The visits service's pages: the member's workbench, the constituent's and the department's."""

from __future__ import annotations

from pathlib import Path

from shared.web.pages import pages_router

router = pages_router(
    Path(__file__).resolve().parent / "static",
    pages=("member", "constituent", "department"),
    assets=("app.css", "cards.js", "member.js", "constituent.js", "department.js", "icon.svg"),
)
