"""Per-request metrics and the health and metrics endpoints every service exposes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.metrics import HTTP_DURATION, HTTP_REQUESTS, render_latest

ReadinessCheck = Callable[[], Awaitable[bool]]
# A probe must answer within its own deadline (Kubernetes' default timeout is 1 s, ours 2 s):
# a frozen broker or a hung database makes its check False, never the whole answer late.
READINESS_DEADLINE_SECONDS = 1.5


class RequestMetrics:
    """Counts requests by route template (not raw path, so ids do not explode the labels)."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_DURATION.labels(self.service, method, route).observe(time.perf_counter() - started)


health_router = APIRouter(tags=["operations"])


_LIVENESS = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "failed"]},
        "checks": {"type": "object", "additionalProperties": {"type": "boolean"}},
    },
}


@health_router.get(
    "/health/live",
    summary="The process is up and can still make progress",
    responses={
        200: {"description": "Alive", "content": {"application/json": {"schema": _LIVENESS}}},
        503: {
            "description": "Failed for good (e.g. its consumers could not start): restart it",
            "content": {"application/json": {"schema": _LIVENESS}},
        },
    },
)
async def live(request: Request) -> JSONResponse:
    # Only what a restart would cure: a dependency being away is readiness' business.
    checks: dict[str, ReadinessCheck] = getattr(request.app.state, "liveness_checks", {})
    outcomes = await asyncio.gather(*(_passes(check) for check in checks.values()))
    if all(outcomes):
        return JSONResponse({"status": "ok"})
    return JSONResponse(
        {"status": "failed", "checks": dict(zip(checks, outcomes, strict=True))}, status_code=503
    )


_READINESS = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "boolean"}},
    },
}


@health_router.get(
    "/health/ready",
    summary="Database, broker and consumers are ready",
    responses={
        200: {"description": "Ready", "content": {"application/json": {"schema": _READINESS}}},
        503: {
            "description": "Not ready: `checks` says which dependency is down",
            "content": {"application/json": {"schema": _READINESS}},
        },
    },
)
async def ready(request: Request) -> JSONResponse:
    checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
    outcomes = await asyncio.gather(*(_passes(check) for check in checks.values()))
    results = dict(zip(checks, outcomes, strict=True))
    ok = bool(results) and all(results.values())
    return JSONResponse(
        {"status": "ready" if ok else "not ready", "checks": results},
        status_code=200 if ok else 503,
    )


async def _passes(check: ReadinessCheck) -> bool:
    """All checks run at once, each cut off at the deadline: a False names what is down."""
    try:
        return await asyncio.wait_for(check(), READINESS_DEADLINE_SECONDS)
    except Exception:
        return False


@health_router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics() -> Response:
    body, content_type = render_latest()
    return Response(body, media_type=content_type)
