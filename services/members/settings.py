"""Members service settings (env prefix MEMBERS_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MembersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERS_", extra="ignore", frozen=True)

    service_name: str = "members"
    http_port: int = 8001
    # Base64 of 32 random bytes (`python -m deploy.devtokens keys` makes a dev one).
    pii_key_file: Path | None = None

    # The "about ten" liaisons per member: below the minimum is a visible warning, not an error.
    liaison_quota_min: int = Field(default=8, ge=0)
    liaison_quota_target: int = Field(default=10, ge=0)
    liaison_quota_max: int = Field(default=15, ge=1)

    # Festival occasions are declared this many days ahead, so reminders can go out in time.
    festival_lead_days: int = Field(default=7, ge=0)
    festival_schedule_interval_seconds: float = Field(default=3600, gt=0)
    festival_schedule_enabled: bool = True

    import_max_bytes: int = Field(default=64 * 1024 * 1024, gt=0)

    # Accounts follow the directory (services/members/jobs.py): with an issuer (`oidc_issuer`)
    # and the provisioning client's secret, members' Keycloak accounts are created, linked and
    # disabled from the directory. Without them nothing is provisioned (rows wait in the queue).
    accounts_client_id: str = "cppcc-members-provisioning"
    accounts_client_secret_file: Path | None = None
    accounts_sync_interval_seconds: float = Field(default=2.0, gt=0)
    accounts_sync_batch: int = Field(default=50, ge=1, le=500)

    @property
    def accounts_enabled(self) -> bool:
        return bool(self.oidc_issuer) and self.accounts_client_secret_file is not None
