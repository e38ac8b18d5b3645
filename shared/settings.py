"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from `<PREFIX>_*` environment variables (e.g. `MEMBERS_DATABASE_URL`)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    database_url: str = "postgresql://postgres@127.0.0.1:55432/postgres"
    database_pool_min: int = 2
    database_pool_max: int = 10
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Lets several environments (or test runs) share one cluster: "staging." + "members.member".
    kafka_topic_prefix: str = ""
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    max_body_bytes: int = Field(default=1_048_576, gt=0)

    jwt_public_key_file: Path | None = None
    jwt_issuer: str = "cppcc-dev"
    jwt_audience: str = "cppcc-platform"

    otlp_endpoint: str = ""
    log_level: str = "INFO"
    log_json: bool = True

    relay_batch_size: int = 500
    relay_idle_poll_seconds: float = 0.05
    relay_concurrency: int = Field(default=4, ge=1, le=16)
    consumer_max_attempts: int = 3
    consumer_retry_base_seconds: float = 0.2
