"""Composition root of the notifications service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.notifications.consumers import recipients
from services.notifications.settings import NotificationsSettings
from shared.bootstrap import service_lifespan, token_verifier
from shared.web.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(
            app, settings, migrations_dir=MIGRATIONS, consumers=[recipients]
        ) as runtime:
            app.state.pool = runtime.pool
            yield

    return create_service_app(
        title="Notifications service (消息通知)",
        description="Inboxes and deliveries over in-app, e-mail, SMS and WeChat.",
        service=settings.service_name,
        lifespan=lifespan,
        routers=[],
        token_verifier=token_verifier(settings),
        max_body_bytes=settings.max_body_bytes,
    )
