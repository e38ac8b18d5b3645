"""Visits service settings (env prefix VISITS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class VisitsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VISITS_", extra="ignore", frozen=True)

    service_name: str = "visits"
    http_port: int = 8002
