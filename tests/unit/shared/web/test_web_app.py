"""The service app every service starts from, exercised in-process (no database, no broker)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
import httpx
import pytest
import structlog.testing
from fastapi import APIRouter, FastAPI
from pydantic import AfterValidator, BaseModel, Field

from deploy.devtokens import DEV_AUDIENCE, DEV_ISSUER
from shared.auth import Role, TokenVerifier, load_public_key
from shared.errors import Conflict, InvalidInput, NotFound
from shared.web import observability
from shared.web.app import create_service_app
from shared.web.security import CurrentPrincipal
from tests.support.tokens import TestKeys as SigningKeys  # not "Test*": pytest would collect it

PROBLEM_JSON = "application/problem+json"
PHONE = "13812345678"
MAX_BODY = 1024


class OddCount(InvalidInput, ValueError):
    """A domain rule that is also a ValueError, so Pydantic locates it on its field (as the
    members service's personal-data rules are)."""


def _even(value: int) -> int:
    if value % 2:
        raise OddCount("count must be even")  # a rule no JSON Schema states
    return value


class NewThing(BaseModel):
    name: str = Field(min_length=1, max_length=8)
    count: Annotated[int, AfterValidator(_even)]


router = APIRouter()


@router.post("/things", status_code=201)
async def create_thing(thing: NewThing) -> dict[str, Any]:
    return {"name": thing.name, "count": thing.count}


@router.get("/things/{thing_id}")
async def get_thing(thing_id: str) -> dict[str, str]:
    if thing_id == "taken":
        raise Conflict("that thing is already taken")
    raise NotFound("no such thing")


@router.get("/me")
async def me(principal: CurrentPrincipal) -> dict[str, str]:
    return {"role": principal.role.value, "region": principal.region_code}


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError(f"database password hunter2 for {PHONE}")


@router.get("/database-restarting")
async def database_restarting() -> None:
    raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")


@router.get("/database-refusing")
async def database_refusing() -> None:
    raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.phase = "running"
    yield
    app.state.phase = "stopped"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SigningKeys:
    return SigningKeys.create(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def app(keys: SigningKeys) -> FastAPI:
    verifier = TokenVerifier(
        [load_public_key(keys.public_key_file)], issuer=DEV_ISSUER, audience=DEV_AUDIENCE
    )
    return create_service_app(
        title="Test service",
        description="Only for the unit tests of the shared web plumbing.",
        service="t",
        lifespan=_lifespan,
        routers=[router],
        token_verifier=verifier,
        max_body_bytes=MAX_BODY,
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # The app answers 500 itself; Starlette re-raises afterwards for servers to log.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def _assert_problem(response: httpx.Response, status: int, path: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["instance"] == path
    assert body["type"].startswith("urn:cppcc:problem:")
    assert body["title"]
    return body


async def test_a_valid_body_reaches_the_endpoint(client: httpx.AsyncClient) -> None:
    response = await client.post("/things", json={"name": "lamp", "count": 2})

    assert response.status_code == 201
    assert response.json() == {"name": "lamp", "count": 2}


async def test_an_invalid_body_is_a_422_problem_listing_where_and_why_without_the_values(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/things", json={"name": PHONE, "count": f"call {PHONE}"})

    body = _assert_problem(response, 422, "/things")
    assert body["title"] == "Unprocessable Content"
    assert body["type"] == "urn:cppcc:problem:validation"
    assert sorted(tuple(e["loc"]) for e in body["errors"]) == [
        ("body", "count"),
        ("body", "name"),
    ]
    assert all(set(e) == {"loc", "msg", "type"} for e in body["errors"])
    assert PHONE not in response.text


async def test_a_well_formed_value_a_domain_rule_refuses_is_a_field_rule_problem(
    client: httpx.AsyncClient,
) -> None:
    # Still located on its field, but told apart from a value the document itself refuses.
    response = await client.post("/things", json={"name": "lamp", "count": 3})

    body = _assert_problem(response, 422, "/things")
    assert body["type"] == "urn:cppcc:problem:field-rule"
    assert [e["loc"] for e in body["errors"]] == [["body", "count"]]
    assert "count must be even" in body["errors"][0]["msg"]


async def test_a_body_that_is_not_json_is_a_422_problem_without_echoing_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/things",
        content=f'{{"name": "{PHONE}", '.encode(),
        headers={"content-type": "application/json"},
    )

    body = _assert_problem(response, 422, "/things")
    assert body["errors"][0]["type"] == "json_invalid"
    assert PHONE not in response.text


async def test_a_body_over_the_limit_with_an_honest_length_is_a_413_problem(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/things", content=b"x" * (MAX_BODY + 1))

    body = _assert_problem(response, 413, "/things")
    assert body["type"] == "urn:cppcc:problem:payload-too-large"


async def test_a_body_at_the_limit_is_read(client: httpx.AsyncClient) -> None:
    padded = json.dumps({"name": "lamp", "count": 2}).ljust(MAX_BODY).encode()
    assert len(padded) == MAX_BODY

    response = await client.post(
        "/things", content=padded, headers={"content-type": "application/json"}
    )

    assert response.status_code == 201


async def _valid_but_oversized(total: int = 4 * MAX_BODY) -> AsyncIterator[bytes]:
    """A valid body padded past the limit, streamed without an honest Content-Length."""
    head = json.dumps({"name": "lamp", "count": 2}).encode()
    yield head
    for _ in range(0, total - len(head), 256):
        yield b" " * 256


@pytest.mark.parametrize("declared", [None, "10"], ids=["chunked", "lying-length"])
async def test_a_streamed_body_over_the_limit_is_a_413_problem(
    client: httpx.AsyncClient, declared: str | None
) -> None:
    headers = {"content-type": "application/json"}
    if declared is not None:
        headers["content-length"] = declared
    response = await client.post("/things", content=_valid_but_oversized(), headers=headers)

    _assert_problem(response, 413, "/things")


async def test_a_streamed_oversized_body_never_reaches_the_endpoint(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/things", content=_valid_but_oversized(), headers={"content-type": "application/json"}
    )

    assert response.status_code != 201
    assert response.status_code >= 400
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_not_found_from_a_use_case_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/things/42")

    body = _assert_problem(response, 404, "/things/42")
    assert body == {
        "type": "urn:cppcc:problem:notfound",
        "title": "Not Found",
        "status": 404,
        "instance": "/things/42",
        "detail": "no such thing",
    }


async def test_conflict_from_a_use_case_is_a_409_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/things/taken")

    body = _assert_problem(response, 409, "/things/taken")
    assert body["title"] == "Conflict"
    assert body["detail"] == "that thing is already taken"


async def test_an_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.get("/nowhere"), 404, "/nowhere")


async def test_a_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    _assert_problem(await client.delete("/things"), 405, "/things")


async def test_an_unexpected_error_is_a_500_problem_that_hides_the_exception(
    client: httpx.AsyncClient,
) -> None:
    with structlog.testing.capture_logs() as logs:
        response = await client.get("/boom")

    body = _assert_problem(response, 500, "/boom")
    assert body["title"] == "Internal Server Error"
    assert body["type"] == "urn:cppcc:problem:internal"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert [(e["event"], e["path"], e["log_level"]) for e in logs] == [
        ("unhandled error", "/boom", "error")
    ]


@pytest.mark.parametrize("path", ["/database-restarting", "/database-refusing"])
async def test_a_database_outage_is_a_503_problem_with_retry_after_that_clients_retry(
    client: httpx.AsyncClient, path: str
) -> None:
    # Clients retry 503 and 429 only: a 500 here loses the write of a client that trusts it.
    response = await client.get(path)

    body = _assert_problem(response, 503, path)
    assert body["type"] == "urn:cppcc:problem:unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert "5432" not in response.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "],
    ids=["missing", "invalid", "basic", "empty"],
)
async def test_a_caller_without_a_valid_bearer_token_gets_a_401_problem(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization else {}
    response = await client.get("/me", headers=headers)

    body = _assert_problem(response, 401, "/me")
    assert body["type"] == "urn:cppcc:problem:unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_valid_token_reaches_the_endpoint_as_the_principal(
    client: httpx.AsyncClient, keys: SigningKeys
) -> None:
    response = await client.get("/me", headers=keys.headers(Role.COUNTY_ADMIN, "230381"))

    assert response.status_code == 200
    assert response.json() == {"role": "county_admin", "region": "230381"}


async def test_liveness_needs_nothing_but_the_process(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_liveness_fails_when_something_only_a_restart_cures_has_failed(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # Consumers that could not start leave the API up but the service useless: the liveness
    # probe must say so, or the orchestrator never restarts it.
    app.state.liveness_checks = {"consumers": _check(False)}

    response = await client.get("/health/live")

    assert response.status_code == 503
    assert response.json() == {"status": "failed", "checks": {"consumers": False}}


def _check(result: bool) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return result

    return check


async def _broken() -> bool:
    raise ConnectionRefusedError("postgres is away")


async def test_readiness_without_any_checks_is_503(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "checks": {}}


async def test_readiness_is_503_when_a_check_fails(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.readiness_checks = {"db": _check(True), "broker": _check(False)}

    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"] == {"db": True, "broker": False}


async def test_readiness_is_503_when_a_check_raises(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.readiness_checks = {"db": _broken, "broker": _check(True)}

    response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"] == {"db": False, "broker": True}


async def test_readiness_answers_within_its_deadline_naming_a_hung_dependency(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A frozen broker never answers its ping: the probe must still answer, and say which.
    monkeypatch.setattr(observability, "READINESS_DEADLINE_SECONDS", 0.05)
    never = asyncio.Event()

    async def frozen_broker() -> bool:
        await never.wait()
        return True

    app.state.readiness_checks = {"db": _check(True), "broker": frozen_broker}

    response = await asyncio.wait_for(client.get("/health/ready"), timeout=5)

    assert response.status_code == 503
    assert response.json()["checks"] == {"db": True, "broker": False}


async def test_readiness_is_200_when_every_check_passes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.readiness_checks = {"db": _check(True), "broker": _check(True)}

    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"db": True, "broker": True}}


async def test_metrics_count_requests_by_route_template_not_raw_path(
    client: httpx.AsyncClient,
) -> None:
    raw_id = "f00d-cafe-4711"
    await client.get(f"/things/{raw_id}")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    sample = 'http_requests_total{method="GET",route="/things/{thing_id}",service="t",status="404"}'
    assert sample in response.text
    assert raw_id not in response.text


async def test_metrics_count_unmatched_paths_under_one_label(client: httpx.AsyncClient) -> None:
    await client.get("/no/such/path/9876")

    text = (await client.get("/metrics")).text

    assert 'route="unmatched",service="t",status="404"' in text
    # The raw path must not become a label (digits alone may occur in sample values).
    assert "/no/such/path" not in text


async def test_openapi_lists_the_service_routes_and_the_health_endpoints(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Test service"
    paths = spec["paths"]
    assert {"/things", "/things/{thing_id}", "/me", "/health/live", "/health/ready"} <= set(paths)
    assert "post" in paths["/things"]
    assert "/metrics" not in paths


async def test_the_app_runs_the_lifespan_it_was_given(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        assert app.state.phase == "running"
    assert app.state.phase == "stopped"


def test_the_app_keeps_the_token_verifier_for_the_auth_dependency(app: FastAPI) -> None:
    assert isinstance(app.state.token_verifier, TokenVerifier)
    assert app.state.readiness_checks == {}
