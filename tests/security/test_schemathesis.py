"""Property-based requests (schemathesis) against every operation of every service's OpenAPI,
with valid tokens of several roles: 0 server errors, 0 responses that break the schema."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.result import Err

from shared.auth import Role
from tests.security.world import JIXI, World
from tests.support.platform import SERVICES

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

SKIP = {"/v1/inbox/stream"}  # Server-Sent Events: the answer never ends by design
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _callers(world: World) -> list[dict[str, str]]:
    member = world.members[JIXI.name][0]
    return [
        world.headers(Role.PROVINCE_ADMIN, "230000"),
        world.headers(Role.CITY_ADMIN, JIXI.code),
        world.headers(Role.MEMBER, JIXI.county, member),
        world.headers(Role.CONSTITUENT, JIXI.county),
        world.headers(Role.DEPARTMENT, JIXI.code),
        world.headers(Role.DATA_PLATFORM, JIXI.code),
        world.headers(Role.AUDITOR, JIXI.code),
    ]


def _given(
    cases: Any, callers: Any, examples: int, check: Callable[[Any, dict[str, str]], None]
) -> Callable[[], None]:
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=cases, headers=callers)
    def run(case: Any, headers: dict[str, str]) -> None:
        check(case, headers)

    return run


def _fuzz(world: World, spec: dict[str, Any], url: str, examples: int) -> Counter[str]:
    """Runs in a worker thread: schemathesis' calls are blocking."""
    schema = schemathesis.openapi.from_dict(spec)
    tally: Counter[str] = Counter()
    failures: list[str] = []
    callers = st.sampled_from(_callers(world))
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise AssertionError(f"an invalid operation in the OpenAPI: {result.err()}")
        operation = result.ok()
        if operation.path in SKIP:
            continue
        tally["operations"] += 1
        label = f"{operation.method.upper()} {operation.path}"

        def check(case: Any, headers: dict[str, str], label: str = label) -> None:
            tally["examples"] += 1
            try:
                case.call_and_validate(base_url=url, headers=headers, checks=CHECKS, timeout=30)
            except Exception as exc:  # every failure is collected
                failures.append(f"{label}: {str(exc)[:600]}")

        modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
        for mode in modes:
            try:
                _given(operation.as_strategy(generation_mode=mode), callers, examples, check)()
            except hypothesis.errors.Unsatisfiable:
                # Nothing to get wrong: an operation without parameters has no negative cases.
                assert mode is schemathesis.GenerationMode.NEGATIVE, label
    tally["failures"] = len(failures)
    if failures:
        raise AssertionError("\n\n".join(dict.fromkeys(failures)))
    return tally


async def fuzz_all(world: World, examples: int) -> None:
    total: Counter[str] = Counter()
    for service in SERVICES:
        async with world.client(service) as client:
            spec = (await client.get("/openapi.json")).json()
        total += await asyncio.to_thread(_fuzz, world, spec, world.urls[service], examples)
    print(
        f"\nschemathesis: {total['operations']} operations, {total['examples']} examples "
        f"(up to {examples} positive and {examples} negative each); server errors 0, "
        "schema violations 0"
    )


async def test_schemathesis_finds_no_server_error_or_schema_violation(world: World) -> None:
    await fuzz_all(world, 5)


@pytest.mark.slow
@pytest.mark.timeout(3600)
async def test_schemathesis_long(world: World) -> None:
    await fuzz_all(world, 100)
