"""Composition root of the notifications service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.notifications.adapters import GatewaySender, SmtpSender, TokenBucket
from services.notifications.api import ROUTERS
from services.notifications.api.deps import Deps
from services.notifications.consumers import reactions, recipients
from services.notifications.handlers.delivery import DeliveryWorker, Outbound
from services.notifications.handlers.digest import DigestWorker
from services.notifications.handlers.notify import Notifier
from services.notifications.jobs import (
    close_when_stopped,
    deliver_forever,
    digest_forever,
    remind_forever,
)
from services.notifications.settings import NotificationsSettings
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.bootstrap import create_platform_app
from shared.kernel import Clock, SystemClock
from shared.runtime import Runtime

MIGRATIONS = Path(__file__).parent / "migrations"


def outbound_channels(
    settings: NotificationsSettings, gateway: httpx.AsyncClient | None
) -> dict[str, Outbound]:
    """The channels configured; an unconfigured one keeps its deliveries pending."""
    s = settings
    channels: dict[str, Outbound] = {}
    if s.smtp_host:
        smtp = SmtpSender(s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_timeout_seconds)
        channels["email"] = Outbound(smtp, TokenBucket(s.email_rate_per_second, s.rate_burst))
    if s.gateway_url and gateway is not None:
        token = s.gateway_token.get_secret_value()
        for channel, rate in (("sms", s.sms_rate_per_second), ("wechat", s.wechat_rate_per_second)):
            sender = GatewaySender(gateway, s.gateway_url, token, channel)
            channels[channel] = Outbound(sender, TokenBucket(rate, s.rate_burst))
    return channels


def start_jobs(
    runtime: Runtime, settings: NotificationsSettings, clock: Clock, notifier: Notifier
) -> None:
    """Reminders, one delivery loop per configured channel, and the digest (over e-mail)."""

    def uow_factory() -> NotificationsUnitOfWork:
        return NotificationsUnitOfWork(runtime.pool)

    s = settings
    reminders = remind_forever(
        uow_factory,
        notifier,
        timezone=s.timezone,
        days_before=s.reminder_days_before,
        interval_seconds=s.reminder_interval_seconds,
    )
    runtime.spawn(reminders, name="reminders")
    gateway = httpx.AsyncClient(timeout=s.gateway_timeout_seconds) if s.gateway_url else None
    if gateway is not None:
        runtime.spawn(close_when_stopped(gateway), name="gateway-client")
    worker = DeliveryWorker(uow_factory, clock, s, outbound_channels(s, gateway))
    for channel in worker.channels:
        runtime.spawn(deliver_forever(worker, channel), name=f"deliver-{channel}")
    if "email" in worker.channels:
        email = worker.channels["email"]
        digests = DigestWorker(uow_factory, clock, s, email.sender, email.bucket)
        runtime.spawn(digest_forever(digests), name="digest")


def create_app(
    settings: NotificationsSettings | None = None,
    *,
    clock: Clock | None = None,
    deliver: bool = True,
) -> FastAPI:
    settings = settings or NotificationsSettings()
    clock = clock or SystemClock()
    notifier = Notifier(clock, timedelta(days=settings.announce_max_age_days))

    def on_start(app: FastAPI, runtime: Runtime) -> None:
        app.state.deps = Deps(runtime.pool, clock, settings)
        if deliver:
            start_jobs(runtime, settings, clock, notifier)

    return create_platform_app(
        settings,
        title="Notifications service (消息通知)",
        description="Inboxes and deliveries over in-app, e-mail, SMS and WeChat.",
        migrations_dir=MIGRATIONS,
        routers=ROUTERS,
        consumers=[recipients, reactions(notifier)],
        on_start=on_start,
    )
