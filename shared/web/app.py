"""The FastAPI app every service starts from: errors, limits, auth, health, metrics, tracing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from shared.auth import TokenVerifier
from shared.web.limits import BodySizeLimit
from shared.web.observability import RequestMetrics, health_router
from shared.web.problems import install_problem_handlers


def create_service_app(
    *,
    title: str,
    description: str,
    service: str,
    lifespan: Any,
    routers: Sequence[APIRouter],
    token_verifier: TokenVerifier,
    max_body_bytes: int,
    body_limit_overrides: Mapping[str, int] | None = None,
) -> FastAPI:
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.token_verifier = token_verifier
    app.state.readiness_checks = {}
    install_problem_handlers(app)
    app.add_middleware(RequestMetrics, service=service)
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics")
    _outermost(app, BodySizeLimit, max_bytes=max_body_bytes, overrides=body_limit_overrides)
    return app


def _outermost(app: FastAPI, middleware: Any, **options: Any) -> None:
    """Wrap even Starlette's error middleware: an oversized body must be a 413, not a 500."""
    build = app.build_middleware_stack

    def build_with_limit() -> Any:
        return middleware(build(), **options)

    app.build_middleware_stack = build_with_limit  # type: ignore[method-assign]
