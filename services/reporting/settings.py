"""Reporting service settings (env prefix REPORTING_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", frozen=True)

    service_name: str = "reporting"
    http_port: int = 8004
    # Keys the data-platform pseudonyms. Rotating it re-pseudonymises everything published
    # afterwards (a new series for the platform); production sets REPORTING_PSEUDONYM_KEY.
    pseudonym_key: SecretStr = SecretStr("dev-only-pseudonym-key-change-me")
    feed_page_max: int = Field(default=1000, gt=0)
