"""Start-up steps every service's composition root shares (logging, tracing, keys, runtime)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from shared.auth import TokenVerifier, load_public_key
from shared.logging import configure_logging
from shared.runtime import ConsumerSpec, Runtime, running
from shared.settings import ServiceSettings
from shared.telemetry import configure_tracing


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    keys = [load_public_key(settings.jwt_public_key_file)] if settings.jwt_public_key_file else []
    # With no key configured every request is refused (401): safe, and obvious in the logs.
    return TokenVerifier(keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience)


@asynccontextmanager
async def service_lifespan(
    app: FastAPI,
    settings: ServiceSettings,
    *,
    migrations_dir: Path,
    consumers: Sequence[ConsumerSpec] = (),
) -> AsyncIterator[Runtime]:
    async with running(settings, migrations_dir=migrations_dir, consumers=consumers) as runtime:
        app.state.readiness_checks = runtime.readiness_checks()
        yield runtime


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
