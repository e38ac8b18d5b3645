"""Serving a service's static pages (no build step) under a strict Content-Security-Policy.

The pages read their Bearer token from the URL fragment (`#token=…`, never sent to a server),
keep it in sessionStorage and call the service's JSON API from the same origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from shared.errors import NotFound

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
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


def pages_router(static_dir: Path, *, pages: Iterable[str], assets: Iterable[str]) -> APIRouter:
    """`/app/<page>` serves `<page>.html`; `/app/static/<name>` serves the listed assets.

    Only the listed files are served, so no path from the URL ever reaches the disk.
    """
    page_files = {name: f"{name}.html" for name in pages}
    asset_files = {name: _TYPES[Path(name).suffix] for name in assets}
    router = APIRouter(prefix="/app", include_in_schema=False)

    def send(name: str, media_type: str) -> Response:
        body = (static_dir / name).read_bytes()
        return Response(body, media_type=media_type, headers=SECURITY_HEADERS)

    @router.get("/static/{name}")
    def asset(name: str) -> Response:
        media_type = asset_files.get(name)
        if media_type is None:
            raise NotFound("no such file")
        return send(name, media_type)

    @router.get("/{page}")
    def page(page: str) -> Response:
        file_name = page_files.get(page)
        if file_name is None:
            raise NotFound("no such page")
        return send(file_name, _TYPES[".html"])

    return router
