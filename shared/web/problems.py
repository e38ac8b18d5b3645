"""RFC 9457 problem details: every error a client sees has the same machine-readable shape."""

from __future__ import annotations

from typing import Any

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


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
