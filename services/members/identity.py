"""Keycloak's admin REST API, as the members service uses it to keep sign-in accounts.

Spoken with the provisioning client's own token (client credentials, cached until shortly
before it expires). Every operation is idempotent: an account is found by its `member_id`
attribute or its user name before one is created, so a retried sync links instead of
duplicating. Errors come out as `IdentityUnavailable` (retry later) or `IdentityRefused`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

TOKEN_MARGIN_SECONDS = 30.0


class IdentityUnavailable(Exception):
    """Keycloak could not be reached or answered 5xx: try again later."""


class IdentityRefused(Exception):
    """Keycloak answered 4xx to a well-formed request (a setting or a permission is wrong)."""


@dataclass(frozen=True)
class Account:
    """One sign-in account as the platform asks for it."""

    username: str
    role: str
    region_code: str
    enabled: bool = True
    first_name: str = ""
    member_id: str | None = None
    department_code: str | None = None

    def attributes(self) -> dict[str, list[str]]:
        found = {
            "region": self.region_code,
            "member_id": self.member_id,
            "department_code": self.department_code,
        }
        return {k: [v] for k, v in found.items() if v}


class AccountDirectory(Protocol):
    async def ensure(self, account: Account, *, create_only: bool = False) -> str:
        """Create or link the account, make it match; returns Keycloak's user id.

        `create_only`: a user of that name already existing is refused, never taken over (an
        office creating staff must not reset, move or re-enable someone else's account)."""

    async def set_password(self, user_id: str, password: str, *, temporary: bool) -> None: ...

    async def aclose(self) -> None: ...


def admin_base(issuer: str) -> str:
    """`http://kc/realms/cppcc` → `http://kc/admin/realms/cppcc`."""
    root, sep, realm = issuer.rstrip("/").rpartition("/realms/")
    if not sep or not realm:
        raise ValueError(f"not a Keycloak realm issuer: {issuer!r}")
    return f"{root}/admin/realms/{realm}"


def keycloak_accounts(
    issuer: str, client_id: str, secret_file: Path, *, timeout: float = 10.0
) -> KeycloakAccounts:
    """The production wiring: the secret is read once, at start-up (a missing file fails it)."""
    secret = secret_file.read_text().strip()
    http = httpx.AsyncClient(timeout=timeout)
    return KeycloakAccounts(http, issuer=issuer, client_id=client_id, client_secret=secret)


class KeycloakAccounts:
    """`AccountDirectory` on Keycloak (tested against a fake of its API in the fast tier)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._token_url = issuer.rstrip("/") + "/protocol/openid-connect/token"
        self._admin = admin_base(issuer)
        self._client = (client_id, client_secret)
        self._clock = clock
        self._token: tuple[str, float] | None = None

    async def ensure(self, account: Account, *, create_only: bool = False) -> str:
        user = await self._find(account)
        if user is not None and create_only:
            raise IdentityRefused(f"user name {account.username!r} is taken")
        if user is None:
            user_id = await self._create(account)
            user = await self._call("GET", f"/users/{user_id}")
        changed = _merged(user, account)
        if changed != user:
            await self._call("PUT", f"/users/{user['id']}", json=changed)
        if not account.enabled and user.get("enabled", True):
            await self._call("POST", f"/users/{user['id']}/logout")  # end live sessions too
        await self._grant(str(user["id"]), account.role)
        return str(user["id"])

    async def aclose(self) -> None:
        await self._http.aclose()

    async def set_password(self, user_id: str, password: str, *, temporary: bool) -> None:
        body = {"type": "password", "value": password, "temporary": temporary}
        await self._call("PUT", f"/users/{user_id}/reset-password", json=body)

    async def _find(self, account: Account) -> dict[str, Any] | None:
        if account.member_id:
            q = {"q": f"member_id:{account.member_id}", "exact": "true"}
            found = await self._call("GET", "/users", params=q)
            if found:
                return dict(found[0])
        q = {"username": account.username, "exact": "true"}
        found = await self._call("GET", "/users", params=q)
        if not found:
            return None
        user = dict(found[0])
        if account.member_id and _member_of(user) != account.member_id:
            # The member's user name held by an account that is not theirs (a citizen who
            # registered it first): linking would hand that person the member's rights.
            raise IdentityRefused(f"user name {account.username!r} belongs to another account")
        return user

    async def _create(self, account: Account) -> str:
        body = _merged({"username": account.username}, account)
        response = await self._send("POST", "/users", json=body, ok_conflict=True)
        if response.status_code == 409:  # created meanwhile (a retry, another replica)
            found = await self._find(account)
            if found is None:
                raise IdentityRefused(f"user name {account.username!r} is taken")
            return str(found["id"])
        return response.headers["Location"].rstrip("/").rpartition("/")[2]

    async def _grant(self, user_id: str, role: str) -> None:
        # The roles the user may still be given: reading them needs only the rights over users
        # the provisioning client has (manage-users), not the right to view the realm.
        available = await self._call("GET", f"/users/{user_id}/role-mappings/realm/available")
        wanted = [r for r in available if r.get("name") == role]
        if wanted:
            await self._call("POST", f"/users/{user_id}/role-mappings/realm", json=wanted)
            return
        held = await self._call("GET", f"/users/{user_id}/role-mappings/realm")
        if not any(r.get("name") == role for r in held):
            raise IdentityRefused(f"the realm has no role {role!r}")

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(method, path, **kwargs)
        return response.json() if response.content else None

    async def _send(
        self, method: str, path: str, *, ok_conflict: bool = False, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": "Bearer " + await self._access_token()}
        try:
            response = await self._http.request(
                method, self._admin + path, headers=headers, **kwargs
            )
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(f"keycloak unreachable: {exc.__class__.__name__}") from exc
        if response.status_code == 401:
            self._token = None  # revoked or expired early: fetch a new one next time
        _check(response, ok_conflict=ok_conflict, what=f"{method} {path.split('?')[0]}")
        return response

    async def _access_token(self) -> str:
        if self._token is not None and self._clock() < self._token[1]:
            return self._token[0]
        data = {"grant_type": "client_credentials"}
        try:
            response = await self._http.post(self._token_url, data=data, auth=self._client)
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(f"keycloak unreachable: {exc.__class__.__name__}") from exc
        _check(response)
        body = response.json()
        lifetime = float(body.get("expires_in", 60))
        self._token = (str(body["access_token"]), self._clock() + lifetime - TOKEN_MARGIN_SECONDS)
        return self._token[0]


def _merged(user: dict[str, Any], account: Account) -> dict[str, Any]:
    """`user` as Keycloak should hold it: the platform's attributes, name and state set, the
    rest (e-mail, phone, attributes others keep) left as it was."""
    attributes = {**(user.get("attributes") or {}), **account.attributes()}
    merged = {**user, "enabled": account.enabled, "attributes": attributes}
    if account.first_name:
        merged["firstName"] = account.first_name
    return merged


def _check(response: httpx.Response, *, ok_conflict: bool = False, what: str = "token") -> None:
    status = response.status_code
    if status >= 500 or status in (401, 429):
        raise IdentityUnavailable(f"keycloak answered {status} to {what}")
    if status >= 400 and not (ok_conflict and status == 409):
        raise IdentityRefused(f"keycloak answered {status} to {what}: {response.text[:200]}")


def _member_of(user: dict[str, Any]) -> str | None:
    values = (user.get("attributes") or {}).get("member_id") or []
    return str(values[0]) if values else None
