"""Visits service settings (env prefix VISITS_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class VisitsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VISITS_", extra="ignore", frozen=True)

    service_name: str = "visits"
    http_port: int = 8002

    # Days a member has to make the visit, by occasion (domain.md defaults). The plenary's is
    # its own date; a festival's counts from the festival.
    due_days_leader_speech: int = Field(default=30, ge=0)
    due_days_congress_closed: int = Field(default=30, ge=0)
    due_days_policy_issued: int = Field(default=30, ge=0)
    due_days_liaison_life_change: int = Field(default=15, ge=0)
    due_days_liaison_request: int = Field(default=7, ge=0)
    due_days_liaison_hardship: int = Field(default=3, ge=0)
    due_days_sector_festival: int = Field(default=7, ge=0)
    # An occasion entered after its date is due from the day it was entered (see DueRules);
    # false counts from the occasion's date, for loading a past year with its own contacts.
    due_from_entry: bool = True

    # Overdue this many days → the guiding special committee; as many again → the city office.
    escalate_after_days: int = Field(default=7, ge=1)
    sweep_interval_seconds: float = Field(default=60, gt=0)
    sweep_batch_size: int = Field(default=1000, ge=1)
    # Dates ("due on") are the province's calendar days.
    timezone: str = "Asia/Shanghai"

    # The government disposal platform (政务联动处置平台). Empty URL: the bridge is off and
    # assignments wait (pending) until it is configured. The secret signs both directions.
    disposal_platform_url: str = ""
    disposal_platform_secret: SecretStr = SecretStr("")
    disposal_platform_timeout_seconds: float = Field(default=10, gt=0)
    bridge_poll_seconds: float = Field(default=1, gt=0)
    bridge_batch_size: int = Field(default=20, ge=1)
    # Attempts before a dispatch is marked failed (a person can replay it); backoff doubles.
    bridge_max_attempts: int = Field(default=8, ge=1)
    bridge_backoff_base_seconds: float = Field(default=5, gt=0)
    bridge_backoff_max_seconds: float = Field(default=900, gt=0)
    # Signed replies older or newer than this (seconds) are refused as replays.
    bridge_signature_window_seconds: int = Field(default=300, ge=1)
