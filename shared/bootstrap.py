"""Start-up steps every service's composition root shares (logging, tracing, keys, runtime)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI

from shared.auth import ClaimStyle, OidcKeys, PublicKeyRing, TokenVerifier, TrustedIssuer
from shared.logging import configure_logging
from shared.runtime import ConsumerSpec, Runtime, running
from shared.settings import ServiceSettings
from shared.telemetry import configure_tracing
from shared.web.app import create_service_app
from shared.web.asyncapi import service_asyncapi
from shared.web.pages import PageSignIn


def token_verifier(settings: ServiceSettings) -> TokenVerifier:
    """The issuers the service trusts: the identity provider (`oidc_issuer`: discovery + JWKS,
    Keycloak's claims) and/or static PEM keys (`jwt_public_key_file`: a file or a directory,
    re-read when it changes, so signing keys rotate without a restart; the dev tokens). With
    neither configured every request is refused (401): safe, and obvious."""
    trusted = []
    if settings.oidc_issuer:
        keys = OidcKeys(
            settings.oidc_issuer,
            discovery_url=settings.oidc_discovery_url,
            min_refetch_seconds=settings.oidc_jwks_min_refetch_seconds,
            max_age_seconds=settings.oidc_jwks_max_age_seconds,
        )
        trusted.append(
            TrustedIssuer(settings.oidc_issuer, keys, settings.oidc_audience, ClaimStyle.KEYCLOAK)
        )
    if settings.jwt_public_key_file is not None or not trusted:
        ring = PublicKeyRing(
            source=settings.jwt_public_key_file, reload_seconds=settings.jwt_keys_reload_seconds
        )
        trusted.append(TrustedIssuer(settings.jwt_issuer, ring, settings.jwt_audience))
    return TokenVerifier.of(trusted)


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
    # Spans (and the traceparent every event carries) exist whether or not export is set up.
    configure_tracing(service=settings.service_name, otlp_endpoint=settings.otlp_endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, migrations_dir=migrations_dir, consumers=consumers) as rt:
            app.state.readiness_checks = rt.readiness_checks()
            app.state.liveness_checks = rt.liveness_checks()
            if on_start is not None:
                on_start(app, rt)
            yield

    asyncapi = service_asyncapi(settings, [(c.group, c.handler_map) for c in consumers])
    app = create_service_app(
        title=title,
        description=description,
        service=settings.service_name,
        lifespan=lifespan,
        routers=[*routers, asyncapi],
        token_verifier=token_verifier(settings),
        max_body_bytes=settings.max_body_bytes,
        body_limit_overrides=body_limit_overrides,
    )
    # What the pages sign in with (served at /app/kit/oidc.json; its origin joins the CSP).
    app.state.page_signin = PageSignIn.of(settings.oidc_issuer, settings.oidc_web_client_id)
    return app


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
