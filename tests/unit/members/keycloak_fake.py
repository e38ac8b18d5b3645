"""Keycloak's admin REST API in memory, as an httpx transport (a function, not a mock).

Just the calls the members service makes, with Keycloak's answers: 201 + Location on create,
409 on a taken user name, `q=attr:value` and `username=…&exact=true` searches.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

ISSUER = "http://kc.test/realms/cppcc"
ADMIN = "/admin/realms/cppcc"
REALM_ROLES = {"province_admin", "city_admin", "county_admin", "committee_staff", "member"}
REALM_ROLES |= {"department", "constituent", "data_platform", "auditor"}


@dataclass
class FakeKeycloak:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, set[str]] = field(default_factory=dict)  # user id → realm roles
    passwords: dict[str, tuple[str, bool]] = field(default_factory=dict)
    logged_out: list[str] = field(default_factory=list)
    tokens_issued: int = 0
    down: bool = False

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def by_username(self, username: str) -> dict[str, Any] | None:
        return next((u for u in self.users.values() if u["username"] == username), None)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path.endswith("/protocol/openid-connect/token"):
            self.tokens_issued += 1
            return httpx.Response(200, json={"access_token": "t", "expires_in": 300})
        if request.headers.get("Authorization") != "Bearer t":
            return httpx.Response(401)
        rest = path.removeprefix(ADMIN)
        body = json.loads(request.content) if request.content else None
        return self._admin(request.method, rest.strip("/").split("/"), request.url.params, body)

    def _admin(
        self, method: str, parts: list[str], params: httpx.QueryParams, body: Any
    ) -> httpx.Response:
        match method, parts:
            case "GET", ["users"]:
                return httpx.Response(200, json=self._search(params))
            case "POST", ["users"]:
                if self.by_username(body["username"]):
                    return httpx.Response(409, json={"errorMessage": "User exists"})
                user_id = str(uuid.uuid4())
                self.users[user_id] = {"enabled": True, "attributes": {}, **body, "id": user_id}
                location = f"{ISSUER.replace('/realms/', '/admin/realms/')}/users/{user_id}"
                return httpx.Response(201, headers={"Location": location})
            case "GET", ["users", user_id]:
                return httpx.Response(200, json=self.users[user_id])
            case "PUT", ["users", user_id]:
                self.users[user_id] = {**body, "id": user_id}
                return httpx.Response(204)
            case "POST", ["users", user_id, "logout"]:
                self.logged_out.append(user_id)
                return httpx.Response(204)
            case "PUT", ["users", user_id, "reset-password"]:
                self.passwords[user_id] = (body["value"], body["temporary"])
                return httpx.Response(204)
            case "GET", ["users", user_id, "role-mappings", "realm"]:
                held = self.roles.get(user_id, set())
                return httpx.Response(200, json=[{"name": r} for r in sorted(held)])
            case "POST", ["users", user_id, "role-mappings", "realm"]:
                self.roles.setdefault(user_id, set()).update(r["name"] for r in body)
                return httpx.Response(204)
            case "GET", ["users", user_id, "role-mappings", "realm", "available"]:
                free = REALM_ROLES - self.roles.get(user_id, set())
                return httpx.Response(200, json=[{"id": "r-" + r, "name": r} for r in sorted(free)])
        return httpx.Response(404)

    def _search(self, params: httpx.QueryParams) -> list[dict[str, Any]]:
        if "q" in params:
            key, _, value = params["q"].partition(":")
            return [u for u in self.users.values() if value in u["attributes"].get(key, [])]
        return [u for u in self.users.values() if u["username"] == params.get("username")]
