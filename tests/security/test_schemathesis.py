"""Property-based requests (schemathesis) against every operation of every service's OpenAPI,
with valid tokens of seven roles, every check schemathesis has, and its stateful phase (links
between operations, followed with each role): 0 failures."""

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
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import (
    content_type_conformance,
    ensure_resource_availability,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err

from shared.auth import Role
from tests.security.world import JIXI, World
from tests.support.platform import SERVICES

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

SKIP = {"/v1/inbox/stream"}  # Server-Sent Events: the answer never ends by design
VALIDATION = "urn:cppcc:problem:validation"


@schemathesis.check
def positive_data_accepted_by_the_request_validation(ctx: Any, response: Any, case: Any) -> Any:
    """Positive data acceptance, judged on the request validation: data the document calls
    valid must never get its 422 (`urn:cppcc:problem:validation`). A domain rule refusing
    well-formed data (an unknown committee, `from` after `to`, a file that is no spreadsheet)
    answers another problem type: a JSON Schema cannot say those rules, and they are tested
    where they are made."""
    if response.status_code == 422 and _problem_type(response) != VALIDATION:
        return None
    return positive_data_acceptance(ctx, response, case)


def _problem_type(response: Any) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("type") if isinstance(body, dict) else None


# Every check that judges one response (server errors, documented statuses, content types,
# response schemas and headers, negative data refused, positive data accepted), plus the ones
# the stateful phase adds (a created resource is found; a deleted one is gone).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_accepted_by_the_request_validation,
    missing_required_header,
    use_after_free,
    ensure_resource_availability,
]


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


def _sent(case: Any, caller: dict[str, str]) -> dict[str, str]:
    """The caller's token in place of a generated one; none where the case is about a missing
    or malformed Authorization header (its point is the 401)."""
    generated = (case.headers or {}).get("Authorization")
    if generated is not None and generated.startswith("Bearer "):
        return caller
    return {k: v for k, v in caller.items() if k != "Authorization"}


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


def _fuzz(
    world: World, spec: dict[str, Any], url: str, examples: int, failures: list[str]
) -> Counter[str]:
    """Runs in a worker thread: schemathesis' calls are blocking."""
    schema = schemathesis.openapi.from_dict(spec)
    tally: Counter[str] = Counter()
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
                sent = _sent(case, headers)
                case.call_and_validate(base_url=url, headers=sent, checks=CHECKS, timeout=30)
            except (Exception, FailureGroup) as exc:  # every failure is collected
                failures.append(f"{label}: {str(exc)[:600]}")

        modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
        for mode in modes:
            try:
                _given(operation.as_strategy(generation_mode=mode), callers, examples, check)()
            except hypothesis.errors.Unsatisfiable:
                # Nothing to get wrong: an operation without parameters has no negative cases.
                assert mode is schemathesis.GenerationMode.NEGATIVE, label
    _stateful(world, schema, url, examples, tally, failures)
    return tally


def _answers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        answer
        for item in spec.get("paths", {}).values()
        for operation in item.values()
        for answer in operation.get("responses", {}).values()
    ]


def _stateful(
    world: World,
    schema: Any,
    url: str,
    examples: int,
    tally: Counter[str],
    failures: list[str],
) -> None:
    """Sequences of calls following the document's links (what one answer gives the next call),
    once per role."""
    if not any("links" in answer for answer in _answers(schema.raw_schema)):
        tally["services without links"] += 1  # no call leads to another: nothing to chain
        return
    for caller in _callers(world):
        base: Any = schema.as_state_machine()

        class Machine(base):  # type: ignore[misc]
            headers = caller

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"base_url": url, "headers": _sent(case, self.headers), "timeout": 30}

            def validate_response(self, response: Any, case: Any, **_: Any) -> None:
                tally["stateful steps"] += 1
                if case.operation.path in SKIP:
                    return
                try:
                    sent = _sent(case, self.headers)
                    case.validate_response(response, checks=CHECKS, headers=sent)
                except (Exception, FailureGroup) as exc:  # every failure is collected
                    label = f"{case.operation.method.upper()} {case.operation.path} (stateful)"
                    failures.append(f"{label}: {str(exc)[:600]}")

        run_state_machine_as_test(
            Machine,
            settings=hypothesis.settings(
                max_examples=max(1, examples // 2),
                stateful_step_count=5,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            ),
        )


async def fuzz_all(world: World, examples: int) -> None:
    total: Counter[str] = Counter()
    failures: list[str] = []  # every service's, so one run shows them all
    for service in SERVICES:
        async with world.client(service) as client:
            spec = (await client.get("/openapi.json")).json()
        url = world.urls[service]
        total += await asyncio.to_thread(_fuzz, world, spec, url, examples, failures)
    print(
        f"\nschemathesis: {total['operations']} operations, {total['examples']} examples "
        f"(up to {examples} positive and {examples} negative each), "
        f"{total['stateful steps']} stateful steps over seven roles; {len(CHECKS)} checks, "
        f"{len(failures)} failures"
    )
    if failures:
        raise AssertionError("\n\n".join(dict.fromkeys(failures)))


async def test_schemathesis_finds_no_server_error_or_schema_violation(world: World) -> None:
    await fuzz_all(world, 5)


@pytest.mark.slow
@pytest.mark.timeout(3600)
async def test_schemathesis_long(world: World) -> None:
    await fuzz_all(world, 100)
