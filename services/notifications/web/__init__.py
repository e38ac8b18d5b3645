"""The inbox page (站内信), no build step: static HTML, CSS and one ES module.

As in the visits pages, the Bearer token comes from the URL fragment (`#token=…`, never sent
to a server) and is kept in sessionStorage. The live stream is read with fetch() and the
Authorization header, so the token never appears in a URL or an access log. Every response
here carries a strict Content-Security-Policy (scripts, styles and fetches from this origin).
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
# Only these files are served: a fixed list, so no path from the URL ever reaches the disk.
ASSETS = {"inbox.css": "text/css; charset=utf-8", "inbox.js": "text/javascript; charset=utf-8"}

router = APIRouter(prefix="/app", include_in_schema=False)


def _file(name: str, media_type: str) -> Response:
    return Response((STATIC / name).read_bytes(), media_type=media_type, headers=SECURITY_HEADERS)


@router.get("/static/{name}")
def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound("no such file")
    return _file(name, media_type)


@router.get("/inbox")
def inbox_page() -> Response:
    return _file("inbox.html", "text/html; charset=utf-8")
