"""Fixtures shared by every tier. The real stack starts only when a test asks for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from deploy.local.keycloak import (
    FAST_START_JVM_OPTIONS,
    TEST_CLIENTS_FILE,
    KeycloakServer,
    running_keycloak,
)
from deploy.local.stack import StackInfo, running_stack
from tests.support.platform import Platform, fresh_platform
from tests.support.tokens import TestKeys

# The tests' Postgres trades crash-durability of the whole machine for speed; the kill -9
# tests kill processes, not the machine, so what they prove is unchanged.
_FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    """A real Kafka broker and a real PostgreSQL 15, started once for the session."""
    with running_stack(tmp_path_factory.mktemp("stack"), postgres_settings=_FAST_POSTGRES) as info:
        yield info


@pytest.fixture(scope="session")
def keycloak(
    stack: StackInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KeycloakServer]:
    """A real Keycloak (realm `cppcc` and the test-only clients), started once for the session,
    only when a test asks for it (about 30-40 s; the one-time build is cached)."""
    state = tmp_path_factory.mktemp("keycloak")
    with running_keycloak(
        stack.postgres, state, imports=[TEST_CLIENTS_FILE], jvm_options=FAST_START_JVM_OPTIONS
    ) as server:
        yield server


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> TestKeys:
    return TestKeys.create(tmp_path_factory.mktemp("keys"))


@pytest.fixture
async def platform(stack: StackInfo, keys: TestKeys) -> AsyncIterator[Platform]:
    async with fresh_platform(stack, keys) as p:
        yield p
