"""A fresh, isolated slice of the real stack per test: own databases, own topic namespace."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import asyncpg

from deploy.local.keycloak import KeycloakServer
from deploy.local.stack import StackInfo
from shared.contracts.topics import ALL_TOPICS
from shared.messaging.topics import ensure_topics
from shared.settings import ServiceSettings
from tests.support.kafka import delete_topics
from tests.support.tokens import TestKeys

SERVICES = ("members", "visits", "notifications", "reporting")
S = TypeVar("S", bound=ServiceSettings)


@dataclass(frozen=True)
class Platform:
    stack: StackInfo
    keys: TestKeys
    topic_prefix: str
    database_urls: dict[str, str]
    # Set by `trusting(keycloak)`: the services trust this OIDC issuer too (not only dev tokens).
    oidc_issuer: str | None = None

    def trusting(self, keycloak: KeycloakServer) -> Platform:
        """The same platform, with services that also accept the Keycloak's tokens."""
        return replace(self, oidc_issuer=keycloak.issuer)

    def settings(self, cls: type[S], service: str, **overrides: Any) -> S:
        values: dict[str, Any] = {
            "database_url": self.database_urls[service],
            "kafka_bootstrap_servers": self.stack.kafka_bootstrap,
            "kafka_topic_prefix": self.topic_prefix,
            "jwt_public_key_file": self.keys.public_key_file,
            "consumer_retry_base_seconds": 0.05,
            **({"oidc_issuer": self.oidc_issuer} if self.oidc_issuer else {}),
            **overrides,
        }
        if "pii_key_file" in cls.model_fields:
            values.setdefault("pii_key_file", self.keys.pii_key_file)
        if "festival_schedule_enabled" in cls.model_fields:
            # The wall-clock calendar would declare today's festivals into every test; the
            # festival tests drive the schedule's pass themselves with a fixed clock.
            values.setdefault("festival_schedule_enabled", False)
        return cls(**values)

    def env(self, service: str) -> dict[str, str]:
        """The same settings as environment variables, for a service run as a child process."""
        p = service.upper()
        return {
            f"{p}_DATABASE_URL": self.database_urls[service],
            f"{p}_KAFKA_BOOTSTRAP_SERVERS": self.stack.kafka_bootstrap,
            f"{p}_KAFKA_TOPIC_PREFIX": self.topic_prefix,
            f"{p}_JWT_PUBLIC_KEY_FILE": str(self.keys.public_key_file),
            f"{p}_LOG_JSON": "true",
            **({f"{p}_OIDC_ISSUER": self.oidc_issuer} if self.oidc_issuer else {}),
            **({"MEMBERS_PII_KEY_FILE": str(self.keys.pii_key_file)} if p == "MEMBERS" else {}),
        }

    def topic(self, name: str) -> str:
        return self.topic_prefix + name

    def group(self, name: str) -> str:
        """Kafka's id for consumer group `name` (the services prefix it like the topics)."""
        return self.topic_prefix + name

    async def fetchval(self, service: str, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.database_urls[service])
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


@asynccontextmanager
async def fresh_platform(stack: StackInfo, keys: TestKeys) -> AsyncIterator[Platform]:
    tag = "t" + secrets.token_hex(4)
    admin = await asyncpg.connect(stack.databases["members"])
    names = {service: f"{tag}_{service}" for service in SERVICES}
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
        base = stack.postgres_dsn_base
        platform = Platform(
            stack=stack,
            keys=keys,
            topic_prefix=f"{tag}.",
            database_urls={service: f"{base}/{name}" for service, name in names.items()},
        )
        await ensure_topics(stack.kafka_bootstrap, ALL_TOPICS, prefix=platform.topic_prefix)
        yield platform
    finally:
        await delete_topics(stack.kafka_bootstrap, prefix=f"{tag}.")
        if admin.is_closed():  # a fault test restarted Postgres under this connection
            admin = await asyncpg.connect(stack.databases["members"])
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
