"""Composition root of the notifications service."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.notifications.consumers import recipients
from services.notifications.settings import NotificationsSettings
from shared.bootstrap import create_platform_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    return create_platform_app(
        settings or NotificationsSettings(),
        title="Notifications service (消息通知)",
        description="Inboxes and deliveries over in-app, e-mail, SMS and WeChat.",
        migrations_dir=MIGRATIONS,
        consumers=[recipients],
    )
