"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.auth import DEV_ISSUER
from shared.regions import RegionCode


class ServiceSettings(BaseSettings):
    """Read from `<PREFIX>_*` environment variables (e.g. `MEMBERS_DATABASE_URL`)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    # The province this deployment serves (one provincial CPPCC: its tenant). Consumers refuse
    # events of other regions; province-wide occasions are declared for it. Default: Heilongjiang.
    deployment_region: RegionCode = "230000"
    database_url: str = "postgresql://postgres@127.0.0.1:55432/postgres"
    database_pool_min: int = 2
    database_pool_max: int = 10
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Lets several environments (or test runs) share one cluster: "staging." + "members.member";
    # consumer group ids carry it too (`kafka_group_id`).
    kafka_topic_prefix: str = ""
    # How to authenticate to Kafka (shared/messaging/security.py). PLAINTEXT: no TLS, no SASL.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    # The password is only ever read from this file, at start-up; it is never a setting itself.
    kafka_sasl_password_file: Path | None = None
    # The CA that signed the brokers' certificates; unset: the system's trust store.
    kafka_ssl_cafile: Path | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    max_body_bytes: int = Field(default=1_048_576, gt=0)

    # `production` refuses to start with the dev-token issuer trusted (see _auth_fits_...).
    environment: Literal["development", "test", "production"] = "development"

    # Trust 1, the identity provider (Keycloak, realm `cppcc`): its issuer URL, exactly as its
    # tokens carry it in `iss`. Keys come from its discovery document and JWKS (cached, fetched
    # again for an unknown `kid`, at most every `oidc_jwks_min_refetch_seconds`). Unset or "":
    # not trusted.
    oidc_issuer: str | None = None
    oidc_audience: str = "cppcc-platform"
    # The public client (Authorization Code + PKCE) the pages sign in with (/app/kit/oidc.json).
    oidc_web_client_id: str = "cppcc-web"
    # Where the services themselves fetch the discovery document when that address differs
    # from the public issuer (compose: http://keycloak:8080/realms/cppcc/.well-known/...).
    oidc_discovery_url: str | None = None
    oidc_jwks_min_refetch_seconds: float = Field(default=30.0, ge=0)
    oidc_jwks_max_age_seconds: float = Field(default=3600.0, gt=0)

    # Trust 2, static keys: the dev tokens (deploy/devtokens.py, issuer `cppcc-dev`) or another
    # issuer's PEM keys. One PEM file, or a directory whose `*.pem` files are all accepted
    # (picked by the token's `kid`): during a signing-key rotation it holds the old and the new
    # public key. Unset: no static-key issuer is trusted. Both trusts may be on at once.
    jwt_public_key_file: Path | None = None
    # How often the key file or directory is checked for changes (a rotated Secret).
    jwt_keys_reload_seconds: float = Field(default=10.0, ge=0)
    jwt_issuer: str = DEV_ISSUER
    jwt_audience: str = "cppcc-platform"

    otlp_endpoint: str = ""
    log_level: str = "INFO"
    log_json: bool = True

    relay_batch_size: int = 500
    relay_idle_poll_seconds: float = 0.05
    relay_concurrency: int = Field(default=4, ge=1, le=16)
    consumer_max_attempts: int = 3
    consumer_retry_base_seconds: float = 0.2

    def kafka_group_id(self, group: str) -> str:
        """Kafka's id for consumer group `group`: prefixed like the topics, so two environments
        on one cluster never share a group (the inbox keys on `group` itself)."""
        return self.kafka_topic_prefix + group

    @model_validator(mode="after")
    def _auth_fits_the_environment(self) -> Self:
        """Production trusts a real identity provider only: never the dev tokens, whose
        signing key sits in a developer's `.run/keys`, and never an issuer on plain HTTP."""
        oidc = (self.oidc_issuer or "").rstrip("/")
        if oidc and self.jwt_public_key_file is not None and oidc == self.jwt_issuer.rstrip("/"):
            # The verifier keys its issuers by name: one would silently shadow the other.
            raise ValueError("jwt_issuer must differ from oidc_issuer when both are trusted")
        if self.environment != "production":
            return self
        if self.jwt_public_key_file is not None and self.jwt_issuer == DEV_ISSUER:
            raise ValueError(
                f"environment production refuses the dev-token issuer {DEV_ISSUER!r}: unset "
                "jwt_public_key_file, or set jwt_issuer to the real issuer of those keys"
            )
        if not self.oidc_issuer and self.jwt_public_key_file is None:
            raise ValueError("environment production needs oidc_issuer (or jwt_public_key_file)")
        # The issuer is what browsers and tokens see: https. The discovery URL may be a plain
        # in-cluster address (the JWKS then travels inside the cluster's network policies).
        if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
            raise ValueError(
                f"environment production needs an https:// oidc_issuer, not {self.oidc_issuer!r}"
            )
        return self

    @model_validator(mode="after")
    def _kafka_security_is_complete(self) -> Self:
        """Fail at start-up, naming the setting, rather than at the first connection."""
        if self.kafka_security_protocol == "SASL_SSL":
            if not self.kafka_sasl_username:
                raise ValueError("kafka_security_protocol SASL_SSL needs kafka_sasl_username")
            if self.kafka_sasl_password_file is None:
                raise ValueError("kafka_security_protocol SASL_SSL needs kafka_sasl_password_file")
            if not self.kafka_sasl_password_file.is_file():
                path = str(self.kafka_sasl_password_file)
                raise ValueError(f"kafka_sasl_password_file {path!r} does not exist")
        cafile = self.kafka_ssl_cafile
        if self.kafka_security_protocol != "PLAINTEXT" and cafile and not cafile.is_file():
            raise ValueError(f"kafka_ssl_cafile {str(cafile)!r} does not exist")
        return self
