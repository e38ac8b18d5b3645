"""The FastAPI dependency that turns a Bearer token into the caller's Principal (or a 401)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import AuthError, IssuerUnavailable, Principal, Role, TokenVerifier
from shared.web.problems import Problem

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token of the platform's identity provider (Keycloak, realm `cppcc`), "
    "or in development a dev token: one role and a region scope",
)


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
    except IssuerUnavailable:
        # The token may be fine: we cannot check it now. 503, so the client retries instead
        # of signing the user out.
        raise Problem(
            503,
            "Service Unavailable",
            "the identity provider's signing keys cannot be fetched right now; please retry",
            kind="unavailable",
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_role(principal: Principal, allowed: frozenset[Role]) -> None:
    if principal.role not in allowed:
        raise Problem(403, "Forbidden", f"role {principal.role.value} may not do this")
