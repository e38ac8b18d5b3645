"""Every problem status an operation can answer is in the OpenAPI document, as problem+json,
and days outside the window are refused the way the document says (issue 19, items 2 and 3)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from shared.web.params import DAY_PATTERN, Day, IdempotencyKey
from shared.web.problems import PROBLEM_JSON, install_problem_handlers

bearer = HTTPBearer(auto_error=False)
Token = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class Body(BaseModel):
    name: str


def _app() -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/v1")

    @router.get("/things/{thing_id}")
    async def get_thing(thing_id: int, token: Token) -> dict[str, int]:
        return {"id": thing_id}

    @router.post("/things")
    async def add_thing(body: Body, token: Token, key: IdempotencyKey = None) -> dict[str, str]:
        return {"name": body.name}

    @router.get("/days")
    async def days(since: Annotated[Day | None, Query()] = None) -> dict[str, Any]:
        return {"since": since}

    app.include_router(router)
    install_problem_handlers(app)
    return app


def _statuses(spec: dict[str, Any], path: str, method: str) -> set[str]:
    return set(spec["paths"][path][method]["responses"])


def test_each_operation_declares_the_problems_its_dependencies_can_raise() -> None:
    spec = _app().openapi()
    assert _statuses(spec, "/v1/things/{thing_id}", "get") == {
        "200", "401", "403", "404", "422", "503"
    }  # fmt: skip
    assert _statuses(spec, "/v1/things", "post") == {
        "200", "400", "401", "403", "404", "409", "413", "422", "503"
    }  # fmt: skip
    assert _statuses(spec, "/v1/days", "get") == {"200", "404", "422"}
    answer = spec["paths"]["/v1/things"]["post"]["responses"]["409"]
    assert answer["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    unavailable = spec["paths"]["/v1/things"]["post"]["responses"]["503"]
    assert "Retry-After" in unavailable["headers"]


def test_a_day_parameter_says_its_window_in_the_document() -> None:
    spec = _app().openapi()
    [since] = spec["paths"]["/v1/days"]["get"]["parameters"]
    day = since["schema"]["anyOf"][0]
    assert (day["format"], day["pattern"]) == ("date", DAY_PATTERN)


@pytest.mark.parametrize(
    "written",
    ["0", "1899-12-31", "0108-07-04", "9999-12-31", "2100-01-01", "2026-02-29", "2026-1-1", ""],
)
async def test_a_day_outside_the_window_or_badly_written_is_a_422_problem(written: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/v1/days", params={"since": written})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith(PROBLEM_JSON)
    assert re.fullmatch(DAY_PATTERN, written) is None  # the document refuses it too


@pytest.mark.parametrize("written", ["2000-01-01", "2024-02-29", "2026-12-08", "2099-12-31"])
async def test_a_day_inside_the_window_is_taken(written: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get("/v1/days", params={"since": written})
    assert answer.status_code == 200
    assert answer.json() == {"since": date.fromisoformat(written).isoformat()}
    assert re.fullmatch(DAY_PATTERN, written)
