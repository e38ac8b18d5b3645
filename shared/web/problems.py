"""RFC 9457 problem details: every error a client sees has the same machine-readable shape."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    return problem_response(
        request,
        422,
        "Unprocessable Content",
        "the request is not valid",
        "validation",
        errors=errors,
    )


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


def document_problems(app: FastAPI) -> None:
    """Describe the 422 answers in the OpenAPI document as what they are: problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                answer = operation.get("responses", {}).get("422")
                if answer is not None:
                    answer["description"] = "The request is not valid (RFC 9457 problem details)"
                    answer["content"] = {
                        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


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
