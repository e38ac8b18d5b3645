"""Notifications service settings (env prefix NOTIFICATIONS_)."""

from __future__ import annotations

from datetime import time

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    http_port: int = 8003

    # E-mail (SMTP). Empty host: e-mail deliveries wait until it is configured.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, gt=0)
    smtp_from: str = "noreply@cppcc.example"
    smtp_timeout_seconds: float = Field(default=10, gt=0)
    # SMS and WeChat gateway. Empty URL: those deliveries wait until it is configured.
    gateway_url: str = ""
    gateway_token: SecretStr = SecretStr("")
    gateway_timeout_seconds: float = Field(default=5, gt=0)

    # The delivery loop (every replica; rows are claimed with SKIP LOCKED).
    delivery_poll_seconds: float = Field(default=1.0, gt=0)
    delivery_batch_size: int = Field(default=50, ge=1)
    delivery_max_attempts: int = Field(default=6, ge=1)
    delivery_backoff_base_seconds: float = Field(default=30, gt=0)
    delivery_backoff_max_seconds: float = Field(default=3600, gt=0)
    # A claimed row is retried after this if its replica died mid-send.
    delivery_lease_seconds: float = Field(default=120, gt=0)
    # Per channel, per process (a token bucket): sends a second and burst.
    email_rate_per_second: float = Field(default=20, gt=0)
    sms_rate_per_second: float = Field(default=10, gt=0)
    wechat_rate_per_second: float = Field(default=10, gt=0)
    rate_burst: int = Field(default=20, ge=1)

    # Default quiet hours (a recipient may set their own); urgent kinds ignore them.
    quiet_start: time = time(22, 0)
    quiet_end: time = time(7, 0)
    timezone: str = "Asia/Shanghai"

    # Events older than this are applied (read models) but not announced.
    announce_max_age_days: int = Field(default=7, ge=1)
    # The daily digest of low-priority kinds (for those who chose it): one e-mail a day, sent
    # from this local hour on (in `timezone`), looked for every `digest_poll_seconds`.
    digest_hour: int = Field(default=8, ge=0, le=23)
    # 八必访 reminders: this many days before the due date, checked every interval.
    reminder_days_before: int = Field(default=2, ge=0)
    reminder_interval_seconds: float = Field(default=600, gt=0)
    digest_poll_seconds: float = Field(default=60, gt=0)
    digest_batch_size: int = Field(default=50, ge=1)

    # How often an open inbox stream (SSE) looks for new items.
    stream_poll_seconds: float = Field(default=1.0, gt=0)
