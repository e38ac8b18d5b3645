"""RFC 9457 problem details: every error a client sees has the same machine-readable shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security.base import SecurityBase
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError
from shared.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


class Problem(Exception):
    """Raise from a route or use case to answer with a problem+json body."""

    def __init__(self, status: int, title: str, detail: str = "", *, kind: str = "", **extra: Any):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.extra = extra


def problem_response(
    request: Request, status: int, title: str, detail: str = "", kind: str = "", **extra: Any
) -> JSONResponse:
    body = {
        "type": f"urn:cppcc:problem:{kind or title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "instance": request.url.path,
        **({"detail": detail} if detail else {}),
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(request, exc.status, exc.title, exc.detail, exc.kind, **exc.extra)


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    kind = exc.__class__.__name__.lower()
    return problem_response(request, exc.status, exc.title, exc.detail, kind)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and why: echoing the submitted values could put personal data in the body.
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type")}
        for e in exc.errors()
    ]
    # Values the document calls valid that a domain rule refuses (an ID number's checksum: no
    # JSON Schema can say it) are told apart from values the document itself refuses.
    kind = "field-rule" if _only_domain_rules(exc) else "validation"
    return problem_response(
        request, 422, "Unprocessable Content", "the request is not valid", kind, errors=errors
    )


def _only_domain_rules(exc: RequestValidationError) -> bool:
    raised = [(e.get("ctx") or {}).get("error") for e in exc.errors()]
    return bool(raised) and all(isinstance(error, DomainError) for error in raised)


# Text the database cannot store (a NUL character, say) is the client's input, not our fault.
_UNSTORABLE_TEXT = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


async def _on_unstorable_text(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        request,
        422,
        "Unprocessable Content",
        "the request contains characters that cannot be stored (such as NUL)",
        "validation",
    )


# The database away (restarting, refusing connections, out of connection slots): the request
# did nothing and may be retried, so it is a 503 with Retry-After, never a 500, which most
# clients would not retry (a write would be lost).
_UNAVAILABLE = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    # A pooled connection cut off mid-operation by a restart ("cannot switch to state ...;
    # another operation is in progress"), as the consumers treat it too.
    asyncpg.InternalClientError,
    ConnectionError,
    TimeoutError,
)
RETRY_AFTER_SECONDS = 2


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("dependency unavailable", path=request.url.path, error=type(exc).__name__)
    answer = problem_response(
        request,
        503,
        "Service Unavailable",
        "the database is not reachable right now; nothing was changed, please retry",
        "unavailable",
    )
    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return problem_response(request, exc.status_code, _title(exc.status_code), str(exc.detail))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path)
    return problem_response(request, 500, "Internal Server Error", kind="internal")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# What every error body looks like, for the OpenAPI document (FastAPI's default 422 schema
# describes its own `{"detail": [...]}` body, which these services never send).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


_REASONS = {
    400: "The request breaks a rule of the domain",
    401: "No valid Bearer token",
    403: "The caller's role may not do this",
    404: "Not found within the caller's scope (another region's or member's object, too)",
    409: "In conflict with the current state (or an Idempotency-Key reused for another body)",
    413: "The request body is too large",
    422: "The request is not valid",
    503: "A dependency (database, broker) is unavailable: nothing was changed, retry later",
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    503: {"Retry-After": {"schema": {"type": "string"}, "description": "seconds to wait"}},
}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def route_problems(route: APIRoute | RouteContext) -> set[int]:
    """The problem statuses a route can answer, read from what it depends on.

    Authenticated (a security scheme among its dependencies): 401 and 403; 404, since what
    a caller reaches is scoped (another region's object, or an account with nothing linked to
    it, is not found); 503, since every such route reads the database. Path or query
    parameters: 404 and 422. A body: 413 and 422. A write:
    400 (a domain rule) and 409 (a state conflict, an Idempotency-Key reused).
    """
    everything = list(_dependants(route.dependant))
    statuses: set[int] = set()
    if any(isinstance(d.call, SecurityBase) for d in everything):
        statuses |= {401, 403, 404, 503}
    if any(d.path_params or d.query_params for d in everything):
        statuses |= {404, 422}
    if any(d.header_params or d.cookie_params for d in everything):
        statuses.add(422)
    if route.body_field is not None:
        statuses |= {413, 422}
    if set(route.methods or ()) & _WRITES:
        statuses |= {400, 409}
    return statuses


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _problem_answer(status: int, answer: dict[str, Any] | None) -> dict[str, Any]:
    answer = dict(answer or {})
    answer["description"] = answer.get("description") or _REASONS.get(status, "Error")
    if status == 422 or not answer.get("content"):
        answer["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    if status in _HEADERS:
        answer.setdefault("headers", _HEADERS[status])
    return answer


def document_problems(app: FastAPI) -> None:
    """Declare every problem status each operation can answer, as problem+json.

    What a route can answer is read from its dependencies (`route_problems`); a route with
    answers of its own declares them with `responses=` and gets the problem schema for them.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        # FastAPI nests included routers lazily: their effective routes (prefix applied) are
        # what the document describes.
        routes = {
            (route.path_format, method.lower()): route
            for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute) and route.include_in_schema
            for method in route.methods or ()
        }
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                route = routes.get((path, method))
                answers = operation.setdefault("responses", {})
                declared = {int(s) for s in answers if s.isdigit() and int(s) >= 400}
                wanted = route_problems(route) if route else set()
                for status in sorted(declared | wanted):
                    answers[str(status)] = _problem_answer(status, answers.get(str(status)))
        _link_created_resources(schema.get("paths", {}))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _link_created_resources(paths: dict[str, Any]) -> None:
    """OpenAPI links from each create (`POST /v1/things` answering 201) to the operations on
    what it created (`/v1/things/{thing_id}`), by the `id` in its answer: what a client (and
    schemathesis' stateful phase) follows from one call to the next."""
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None:
            continue
        for sub, sub_item in paths.items():
            match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", sub)
            if match is None:
                continue
            for operation in sub_item.values():
                created.setdefault("links", {})[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {f"path.{match[1]}": "$response.body#/id"},
                }


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for unstorable in _UNSTORABLE_TEXT:
        app.add_exception_handler(unstorable, _on_unstorable_text)
    for unavailable in _UNAVAILABLE:
        app.add_exception_handler(unavailable, _on_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)
    document_problems(app)
