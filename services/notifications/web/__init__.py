"""The inbox page (站内信). Its live stream is read with fetch() and the Authorization header,
so the token never appears in a URL or an access log."""

from __future__ import annotations

from pathlib import Path

from shared.web.pages import pages_router

router = pages_router(
    Path(__file__).resolve().parent / "static",
    pages=("inbox",),
    assets=("inbox.css", "inbox.js"),
)
