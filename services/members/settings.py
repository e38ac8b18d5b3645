"""Members service settings (env prefix MEMBERS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MembersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERS_", extra="ignore", frozen=True)

    service_name: str = "members"
    http_port: int = 8001
