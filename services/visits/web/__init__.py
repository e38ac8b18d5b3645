"""The visits service's pages (no build step): static HTML, CSS and one ES module per page.

Each page reads its Bearer token from the URL fragment (`#token=…`, never sent to a server),
keeps it in sessionStorage and calls the service's JSON API. Every response here carries a
strict Content-Security-Policy: scripts, styles and fetches from this origin only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from shared.errors import NotFound

STATIC = Path(__file__).resolve().parent / "static"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}
PAGES = {name: f"{name}.html" for name in ("member", "constituent", "department")}
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Only these files are served: a fixed list, so no path from the URL ever reaches the disk.
ASSETS = {
    name: TYPES[Path(name).suffix]
    for name in ("app.css", "common.js", "member.js", "constituent.js", "department.js", "icon.svg")
}

router = APIRouter(prefix="/app", include_in_schema=False)


def _file(name: str, media_type: str) -> Response:
    return Response((STATIC / name).read_bytes(), media_type=media_type, headers=SECURITY_HEADERS)


@router.get("/static/{name}")
def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound("no such file")
    return _file(name, media_type)


@router.get("/{page}")
def page(page: str) -> Response:
    name = PAGES.get(page)
    if name is None:
        raise NotFound("no such page")
    return _file(name, "text/html; charset=utf-8")
