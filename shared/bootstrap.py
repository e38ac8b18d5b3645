"""Start-up steps every service's composition root shares (logging, tracing, keys, runtime)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI

from shared.auth import PublicKeyRing, TokenVerifier
from shared.logging import configure_logging
from shared.runtime import ConsumerSpec, Runtime, running
from shared.settings import ServiceSettings
from shared.telemetry import configure_tracing
from shared.web.app import create_service_app


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    # A file or a directory of PEM files, re-read when it changes (signing-key rotation without
    # a restart). With no key configured every request is refused (401): safe, and obvious.
    ring = PublicKeyRing(
        source=settings.jwt_public_key_file, reload_seconds=settings.jwt_keys_reload_seconds
    )
    return TokenVerifier(ring, issuer=settings.jwt_issuer, audience=settings.jwt_audience)


def create_platform_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    migrations_dir: Path,
    routers: Sequence[APIRouter] = (),
    consumers: Sequence[ConsumerSpec[Any]] = (),
    on_start: Callable[[FastAPI, Runtime], None] | None = None,
    body_limit_overrides: Mapping[str, int] | None = None,
) -> FastAPI:
    """A service's app: its runtime starts in the lifespan; `on_start` hands the app its deps."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, migrations_dir=migrations_dir, consumers=consumers) as rt:
            app.state.readiness_checks = rt.readiness_checks()
            if on_start is not None:
                on_start(app, rt)
            yield

    return create_service_app(
        title=title,
        description=description,
        service=settings.service_name,
        lifespan=lifespan,
        routers=routers,
        token_verifier=token_verifier(settings),
        max_body_bytes=settings.max_body_bytes,
        body_limit_overrides=body_limit_overrides,
    )


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service process (what `python -m services.<name>` does)."""
    configure_logging(
        service=settings.service_name, level=settings.log_level, json=settings.log_json
    )
    configure_tracing(service=settings.service_name, otlp_endpoint=settings.otlp_endpoint)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )
