"""The FastAPI dependency that turns a Bearer token into the caller's Principal (or a 401)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import AuthError, Principal, Role, TokenVerifier
from shared.web.problems import Problem

_bearer = HTTPBearer(auto_error=False, description="A JWT issued for a role and region scope")


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    verifier: TokenVerifier = request.app.state.token_verifier
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Unauthorized", "a Bearer token is required", kind="unauthorized")
    try:
        return verifier.verify(credentials.credentials)
    except AuthError as exc:
        raise Problem(401, "Unauthorized", str(exc), kind="unauthorized") from None


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_role(principal: Principal, allowed: frozenset[Role]) -> None:
    if principal.role not in allowed:
        raise Problem(403, "Forbidden", f"role {principal.role.value} may not do this")
